/* vmbus-blast - guest-to-root VMBus packet rate. Connects, opens the bench
 * sink channel (a device that only counts; GUID below, defined on the Java side
 * in dev.parvis.bench.vmbus.SinkDevice), then serves root requests on
 * boot->root_message_sint:
 *
 *   request {u64 n, u32 size, u32 mode}   n == 0: close, unload, power off
 *     mode 0: n packets of `size` bytes to the sink with vmbus_send, as fast as
 *             the ring allows (the SDK signals the host per section 7.5)
 *     mode 1: the same vmbus_send calls into a guest-private ring nobody reads
 *             (interrupt_mask = 1, so no signal; read_index is caught up every
 *             PRIVATE_CATCH_UP packets): the guest's own cost per packet
 *   reply   {u64 n, u64 elapsed_100ns, u64 signals, u64 space_waits, u64 failures}
 *
 * elapsed is HV_REGISTER_TIME_REF_COUNT around the loop. The payload is one
 * static buffer written once: per packet the guest does only vmbus_send's own
 * stores (descriptor, txid, payload words, trailer, write_index; ~72 ns each). */
#include <parvis/parvis.h>
#include <parvis/vmbus.h>

#define REPLY_MESSAGE_TYPE 1u
#define SEND_RING_BYTES (256u * 1024u)
#define RECV_RING_BYTES 4096u
#define MAX_SIZE 4096u
#define MAX_OFFERS 32

/* Must match dev.parvis.bench.vmbus.SinkDevice.INTERFACE_TYPE
 * (b1a57000-5e11-4b0c-9a6e-50415256424e). */
#define BENCH_SINK_GUID {0xb1a57000u, 0x5e11u, 0x4b0cu, {0x9a, 0x6e, 0x50, 0x41, 0x52, 0x56, 0x42, 0x4e}}

struct blast_request {
    uint64_t n;
    uint32_t size;
    uint32_t mode;
};

struct blast_reply {
    uint64_t n;
    uint64_t elapsed_100ns;
    uint64_t signals;
    uint64_t space_waits;
    uint64_t failures;
};

static uint64_t payload[MAX_SIZE / 8];

static void *alloc_pages(uint32_t pages)
{
    uint8_t *first = page_alloc();
    for (uint32_t i = 1; first && i < pages; i++)
        if (page_alloc() != first + (uint64_t)i * HV_PAGE_SIZE)
            return 0;
    return first;
}

/* n sends on ch; returns the number that failed (a failure ends the loop). */
static uint64_t blast(struct vmbus_channel *ch, uint64_t n, uint32_t size)
{
    for (uint64_t i = 0; i < n; i++)
        if (vmbus_send(ch, VMBUS_PACKET_TYPE_DATA_INBAND, 0, i, payload, size))
            return n - i;
    return 0;
}

/* The same sends into a ring only the guest touches: no host reader, no signal. */
static uint64_t blast_private(struct vmbus_channel *p, uint64_t n, uint32_t size)
{
    uint32_t total = 16u + ((size + 7u) & ~7u) + 8u;
    uint32_t per_lap = (p->send.size / total) / 2u; /* catch up long before the ring fills */
    uint32_t left = per_lap;
    for (uint64_t i = 0; i < n; i++) {
        if (vmbus_send(p, VMBUS_PACKET_TYPE_DATA_INBAND, 0, i, payload, size))
            return n - i;
        if (--left == 0) {
            p->send.control->read_index = p->send.index;
            left = per_lap;
        }
    }
    return 0;
}

int main(void)
{
    const struct parvis_boot_info *boot = parvis_boot();
    static struct vmbus_connection c; /* wait_ticks 0: hlt-and-poll */
    int rc = vmbus_connect(&c);
    if (rc) {
        dbg_printf("vmbus-blast: connect failed: 0x%x\n", (unsigned)rc);
        return 1;
    }
    static struct vmbus_offer offers[MAX_OFFERS];
    int count = vmbus_request_offers(&c, offers, MAX_OFFERS);
    struct vmbus_guid sink_guid = BENCH_SINK_GUID;
    const struct vmbus_offer *sink = count > 0 ? vmbus_find_offer(offers, count, &sink_guid) : 0;
    if (!sink) {
        dbg_printf("vmbus-blast: no bench sink among %d offers\n", count);
        return 1;
    }
    static struct vmbus_channel ch;
    rc = vmbus_channel_open(&c, sink, &ch, SEND_RING_BYTES, RECV_RING_BYTES);
    if (rc) {
        dbg_printf("vmbus-blast: open relid %u failed: 0x%x\n", sink->child_relid, (unsigned)rc);
        return 1;
    }
    /* The private ring: a copy of the channel pointing at guest-only pages. */
    static struct vmbus_channel priv;
    priv = ch;
    uint8_t *mem = alloc_pages(1 + SEND_RING_BYTES / HV_PAGE_SIZE);
    if (!mem) {
        dbg_puts("vmbus-blast: out of memory for the private ring");
        return 1;
    }
    priv.send.control = (volatile struct vmbus_ring_control *)mem;
    priv.send.data = mem + HV_PAGE_SIZE;
    priv.send.index = 0;
    priv.send.control->interrupt_mask = 1;

    uint32_t sint = boot->root_message_sint;
    uint16_t status = synic_enable(sint);
    if (status != HV_STATUS_SUCCESS) {
        dbg_printf("vmbus-blast: SynIC on SINT %u failed: 0x%x\n", sint, status);
        return 1;
    }
    dbg_printf("vmbus-blast: sink relid %u open, waiting for requests on SINT %u\n", sink->child_relid,
               sint);
    for (;;) {
        struct hv_message m;
        synic_wait_message(sint, &m);
        struct blast_request req = {0, 0, 0};
        if (m.payload_size < sizeof(req.n))
            continue;
        memcpy(&req.n, m.payload, sizeof(req.n)); /* {u64 0} alone means power off */
        if (req.n == 0)
            break;
        if (m.payload_size < sizeof(req))
            continue;
        memcpy(&req, m.payload, sizeof(req));
        struct blast_reply reply = {req.n, 0, 0, 0, 0};
        if (req.size == 0 || req.size > MAX_SIZE) {
            reply.failures = req.n;
        } else {
            struct vmbus_channel *target = req.mode == 1 ? &priv : &ch;
            uint64_t signals = target->signals_sent, waits = target->space_waits;
            uint64_t t0 = vmbus_now();
            reply.failures = req.mode == 1 ? blast_private(&priv, req.n, req.size)
                                           : blast(&ch, req.n, req.size);
            reply.elapsed_100ns = vmbus_now() - t0;
            reply.signals = target->signals_sent - signals;
            reply.space_waits = target->space_waits - waits;
        }
        status = hv_post_message(boot->root_message_connection_id, REPLY_MESSAGE_TYPE, &reply,
                                 sizeof(reply));
        if (status != HV_STATUS_SUCCESS) {
            dbg_printf("vmbus-blast: reply failed: 0x%x\n", status);
            return 2;
        }
    }
    rc = vmbus_channel_close(&ch);
    int rc2 = vmbus_disconnect(&c);
    dbg_printf("vmbus-blast: signals %lu, space waits %lu; close 0x%x, unload 0x%x\n", ch.signals_sent,
               ch.space_waits, (unsigned)rc, (unsigned)rc2);
    return rc || rc2;
}
