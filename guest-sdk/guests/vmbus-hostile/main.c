/* vmbus-hostile - a misbehaving VMBus guest for the root's hostile-guest tests.
 *
 * Root -> guest (on boot->root_message_sint): {u32 scenario}
 * Guest -> root (boot->root_message_connection_id, type 1):
 *   {u32 scenario, u32 observed_status, u32 echo_still_works}
 * echo_still_works = 1 if, after the scenario, a 64-byte echo round trip on the
 * echo channel (reopened if the scenario broke it) succeeds.
 *
 * Scenarios (observed_status):
 *   1 GPADL naming a PFN beyond RAM            -> GPADL_CREATED.creation_status
 *   2 GPADL_BODY without a header              -> GPADL_CREATED status, or NO_ANSWER
 *   3 OPENCHANNEL on unknown relid 1999        -> OPENCHANNEL_RESULT.status, or NO_ANSWER
 *   4 GPADL_TEARDOWN of the open ring GPADL    -> 1 if GPADL_TORNDOWN arrived, 0 if not
 *   5 write_index = ring size + 8, signal      -> 1 if the host closed the channel
 *   6 packet whose len8 exceeds the ring       -> 1 if the host closed the channel
 *   7 packet with offset8 = 1                  -> 1 if the host closed the channel
 *   8 10,000 control messages, no back-off     -> number of HV_STATUS_INSUFFICIENT_BUFFERS
 *   0 unload and power off (no reply)
 * Every VMBus wait is bounded (reference time), so the guest never hangs on the host. */
#include <parvis/parvis.h>
#include <parvis/vmbus.h>

#define TICKS_PER_MS 10000ull
#define WAIT_TICKS (2000 * TICKS_PER_MS) /* an answer the host owes us */
#define SHORT_TICKS (300 * TICKS_PER_MS) /* an answer that should not come */
#define RING_BYTES (16u * 1024u)
#define ECHO_BYTES 64u
#define UNKNOWN_RELID 1999u
#define FLOOD_MESSAGES 10000u /* delivered: more than the host's bounded queues hold */
/* Posts the hypervisor refuses for a full queue do not count towards FLOOD_MESSAGES (how many it
 * refuses depends on how fast the root drains, i.e. on the host's load), but are bounded all the same. */
#define FLOOD_ATTEMPTS 4000000u
#define NO_ANSWER 0xFFFFFFFFu
#define UNKNOWN_SCENARIO 0xFFFFFFFEu
#define REPLY_TYPE 1u
#define MAX_OFFERS 32

struct hostile {
    struct vmbus_connection c;
    struct vmbus_offer offers[MAX_OFFERS];
    struct vmbus_offer echo;
    bool have_echo;
    struct vmbus_channel ch;
    bool broken; /* the channel must be reopened before the next echo */
    uint64_t txid;
};

struct reply {
    uint32_t scenario;
    uint32_t observed_status;
    uint32_t echo_still_works;
};

static struct hostile h;

/* Spins (no hlt: nothing may wake us) for `ticks` of reference time. */
static void pause_ticks(uint64_t ticks)
{
    uint64_t end = vmbus_now() + ticks;
    for (uint32_t spins = 0; vmbus_now() < end && spins < 1000000u; spins++)
        hv_notify_long_spin_wait(1);
}

/* Waits for a control message with a temporary bound. */
static int wait_control_for(uint64_t ticks, uint32_t type, uint32_t key_offset, uint32_t key,
                            struct vmbus_control_message *m)
{
    uint64_t saved = h.c.wait_ticks;
    h.c.wait_ticks = ticks;
    int rc = vmbus_wait_control(&h.c, type, key_offset, key, m);
    h.c.wait_ticks = saved;
    return rc;
}

/* ---- the echo channel ---------------------------------------------------- */

/* A rescinded and re-offered echo device would sit in the control queue. */
static void pick_up_new_echo_offer(void)
{
    struct vmbus_control_message m;
    struct vmbus_guid echo_guid = VMBUS_DEVICE_ECHO_GUID;
    while (wait_control_for(1, VMBUS_MSG_OFFER_CHANNEL, 0, 0, &m) == 0) {
        if (m.length >= sizeof(m.msg.offer) &&
            vmbus_guid_equal(&m.msg.offer.interface_type, &echo_guid)) {
            h.echo.child_relid = m.msg.offer.child_relid;
            h.echo.connection_id = m.msg.offer.connection_id;
        }
    }
}

/* Best-effort close of a broken channel (the host may already have dropped
 * it, so GPADL_TORNDOWN may never come), then a fresh open. */
static bool reopen_echo(void)
{
    if (!h.have_echo)
        return false;
    if (h.ch.conn) {
        uint64_t saved = h.c.wait_ticks;
        h.c.wait_ticks = SHORT_TICKS;
        vmbus_channel_close(&h.ch);
        h.c.wait_ticks = saved;
    }
    pick_up_new_echo_offer();
    int rc = vmbus_channel_open(&h.c, &h.echo, &h.ch, RING_BYTES, RING_BYTES);
    dbg_printf("vmbus-hostile: echo channel relid %u opened: status 0x%x\n", h.echo.child_relid,
               (unsigned)rc);
    h.broken = rc != 0;
    return rc == 0;
}

/* One 64-byte round trip with a bound. */
static bool echo_once(uint64_t ticks)
{
    uint64_t out[ECHO_BYTES / 8], in[ECHO_BYTES / 8];
    uint64_t txid = ++h.txid;
    for (uint32_t k = 0; k < ECHO_BYTES / 8; k++)
        out[k] = txid * 0x9e3779b97f4a7c15ull + k;
    uint64_t saved = h.c.wait_ticks;
    h.c.wait_ticks = ticks;
    int rc = vmbus_send(&h.ch, VMBUS_PACKET_TYPE_DATA_INBAND, 0, txid, out, ECHO_BYTES);
    struct vmbus_packet_info info = {0};
    if (rc == 0)
        rc = vmbus_recv_wait(&h.ch, &info, in, sizeof(in));
    h.c.wait_ticks = saved;
    if (rc)
        return false;
    return info.transaction_id == txid && info.payload_bytes == ECHO_BYTES &&
           memcmp(in, out, ECHO_BYTES) == 0;
}

static uint32_t echo_still_works(void)
{
    if (h.broken || !h.ch.open)
        if (!reopen_echo())
            return 0;
    if (echo_once(WAIT_TICKS))
        return 1;
    h.broken = true; /* reopen before the next scenario's check */
    return 0;
}

/* ---- scenarios ------------------------------------------------------------- */

/* 1: a GPADL over one page beyond the end of RAM. */
static uint32_t gpadl_beyond_ram(void)
{
    uint64_t gpa = (parvis_boot()->ram_size / HV_PAGE_SIZE + 100) * HV_PAGE_SIZE;
    uint32_t handle;
    int rc = vmbus_gpadl_create(&h.c, h.echo.child_relid, (void *)(uintptr_t)gpa, HV_PAGE_SIZE,
                                &handle);
    if (rc == 0) /* the host accepted it: do not leave it behind */
        vmbus_gpadl_teardown(&h.c, h.echo.child_relid, handle);
    return rc == VMBUS_ERR_TIMEOUT ? NO_ANSWER : (uint32_t)rc;
}

/* 2: GPADL_BODY for a handle that never had a GPADL_HEADER. */
static uint32_t body_without_header(void)
{
    uint32_t handle = 0x0BAD0000u | (uint32_t)(rdtsc() & 0xffffu);
    struct {
        struct vmbus_gpadl_body fixed;
        uint64_t pfn[3];
    } b = {.fixed = {.header = {.message_type = VMBUS_MSG_GPADL_BODY}, .msg_number = 1,
                     .gpadl = handle}};
    for (uint32_t i = 0; i < 3; i++)
        b.pfn[i] = ((uintptr_t)h.ch.send.data >> 12) + i;
    int rc = vmbus_post(&h.c, &b, sizeof(b));
    if (rc)
        return (uint32_t)rc;
    struct vmbus_control_message m;
    rc = wait_control_for(SHORT_TICKS, VMBUS_MSG_GPADL_CREATED,
                          __builtin_offsetof(struct vmbus_gpadl_created, gpadl), handle, &m);
    return rc ? NO_ANSWER : m.msg.gpadl_created.creation_status;
}

/* 3: OPENCHANNEL naming a relid nobody offered. */
static uint32_t open_unknown_relid(void)
{
    struct vmbus_open_channel open = {
        .header = {.message_type = VMBUS_MSG_OPEN_CHANNEL},
        .child_relid = UNKNOWN_RELID,
        .open_id = UNKNOWN_RELID,
        .ring_buffer_gpadl_handle = h.ch.gpadl,
        .target_vp = 0,
        .downstream_ring_buffer_page_offset = 1 + RING_BYTES / HV_PAGE_SIZE,
    };
    int rc = vmbus_post(&h.c, &open, sizeof(open));
    if (rc)
        return (uint32_t)rc;
    struct vmbus_control_message m;
    rc = wait_control_for(WAIT_TICKS, VMBUS_MSG_OPEN_CHANNEL_RESULT,
                          __builtin_offsetof(struct vmbus_open_channel_result, child_relid),
                          UNKNOWN_RELID, &m);
    return rc ? NO_ANSWER : m.msg.open_result.status;
}

/* 4: tear down the ring GPADL while the channel is open: the host must keep
 * the rings mapped (no TORNDOWN while open); the echo check shows they work. */
static uint32_t teardown_open_ring(void)
{
    struct vmbus_gpadl_teardown msg = {
        .header = {.message_type = VMBUS_MSG_GPADL_TEARDOWN},
        .child_relid = h.ch.relid,
        .gpadl = h.ch.gpadl,
    };
    int rc = vmbus_post(&h.c, &msg, sizeof(msg));
    if (rc)
        return (uint32_t)rc;
    struct vmbus_control_message m;
    rc = wait_control_for(SHORT_TICKS, VMBUS_MSG_GPADL_TORNDOWN,
                          __builtin_offsetof(struct vmbus_gpadl_torndown, gpadl), h.ch.gpadl, &m);
    return rc == 0 ? 1 : 0;
}

/* After corrupting the send ring: give the host time to notice, then see
 * whether a (correct) echo still comes back. 1 = the host closed the channel. */
static uint32_t channel_closed_by_host(void)
{
    pause_ticks(SHORT_TICKS);
    uint32_t closed = echo_once(SHORT_TICKS) ? 0 : 1;
    h.broken = true; /* whatever happened, start the check on a fresh channel */
    return closed;
}

/* 5: write_index beyond the data area. */
static uint32_t corrupt_write_index(void)
{
    h.ch.send.control->write_index = h.ch.send.size + 8;
    cpu_mb();
    vmbus_signal(&h.ch);
    return channel_closed_by_host();
}

/* Writes raw words at our write position, publishes them and signals. */
static void publish_raw(const uint64_t *words, uint32_t n)
{
    struct vmbus_ring *r = &h.ch.send;
    uint32_t off = r->index;
    for (uint32_t i = 0; i < n; i++) {
        *(volatile uint64_t *)(r->data + off) = words[i];
        off = off + 8 >= r->size ? 0 : off + 8;
    }
    cpu_mb();
    r->control->write_index = off;
    r->index = off;
    cpu_mb();
    vmbus_signal(&h.ch);
}

static uint64_t descriptor(uint16_t offset8, uint16_t len8)
{
    return (uint64_t)VMBUS_PACKET_TYPE_DATA_INBAND | (uint64_t)offset8 << 16 |
           (uint64_t)len8 << 32;
}

/* 6: a descriptor claiming more bytes than the whole ring. */
static uint32_t len8_beyond_ring(void)
{
    uint64_t start = h.ch.send.index;
    uint64_t words[3] = {descriptor(2, (uint16_t)(h.ch.send.size / 8 + 16)), ++h.txid, start << 32};
    publish_raw(words, 3);
    return channel_closed_by_host();
}

/* 7: payload offset inside the descriptor. */
static uint32_t offset8_inside_descriptor(void)
{
    uint64_t start = h.ch.send.index;
    uint64_t words[4] = {descriptor(1, 3), ++h.txid, 0x4841434b4841434bull, start << 32};
    publish_raw(words, 4);
    return channel_closed_by_host();
}

/* One raw HvCallPostMessage: no retries, we want to see every status. */
static uint16_t post_raw(uint32_t type, const void *payload, uint32_t len)
{
    struct hv_input_post_message *in = hv_input_page();
    in->connection_id = h.c.msg_conn_id;
    in->reserved = 0;
    in->message_type = type;
    in->payload_size = len;
    memcpy(in->payload, payload, len);
    return hv_status(hv_hypercall(HVCALL_POST_MESSAGE, (uintptr_t)in, 0));
}

/* 8: REQUESTOFFERS and garbage (unknown type, runt, oversized claims) as fast
 * as the hypercall allows until FLOOD_MESSAGES were delivered; then drop whatever
 * the host answered. Returns how many posts were refused for a full queue. */
static uint32_t flood(void)
{
    uint32_t insufficient = 0, other = 0, delivered = 0;
    uint64_t garbage[HV_MESSAGE_MAX_PAYLOAD / 8];
    for (uint32_t i = 0; i < HV_MESSAGE_MAX_PAYLOAD / 8; i++)
        garbage[i] = 0xdeadbeef00000000ull | i;
    for (uint32_t i = 0; delivered < FLOOD_MESSAGES && i < FLOOD_ATTEMPTS; i++) {
        uint16_t status;
        switch (i % 4) {
        case 0: {
            struct vmbus_request_offers ro = {.header = {.message_type = VMBUS_MSG_REQUEST_OFFERS}};
            status = post_raw(VMBUS_HV_MESSAGE_TYPE, &ro, sizeof(ro));
            break;
        }
        case 1: /* unknown message type, full size */
            status = post_raw(VMBUS_HV_MESSAGE_TYPE, garbage, HV_MESSAGE_MAX_PAYLOAD);
            break;
        case 2: /* runt: shorter than the channel message header */
            status = post_raw(VMBUS_HV_MESSAGE_TYPE, garbage, 3);
            break;
        default: { /* GPADL_HEADER claiming far more PFNs than it carries */
            struct vmbus_gpadl_header g = {.header = {.message_type = VMBUS_MSG_GPADL_HEADER},
                                           .child_relid = h.echo.child_relid,
                                           .gpadl = 0x0F100D00u + i,
                                           .range_buflen = 0xfff8,
                                           .range_count = 1000};
            status = post_raw(VMBUS_HV_MESSAGE_TYPE, &g, sizeof(g));
            break;
        }
        }
        if (status == HV_STATUS_SUCCESS)
            delivered++;
        else if (status == HV_STATUS_INSUFFICIENT_BUFFERS)
            insufficient++;
        else
            other++;
    }
    dbg_printf("vmbus-hostile: flood: %u delivered, %u insufficient buffers, %u other failures\n",
               delivered, insufficient, other);
    /* Offers and error answers pile up: take them all, keep none. */
    struct vmbus_control_message m;
    wait_control_for(SHORT_TICKS, 0xFFFFFFFFu, 0, 0, &m);
    h.c.queued = 0;
    return insufficient;
}

static uint32_t run_scenario(uint32_t scenario)
{
    switch (scenario) {
    case 1: return gpadl_beyond_ram();
    case 2: return body_without_header();
    case 3: return open_unknown_relid();
    case 4: return teardown_open_ring();
    case 5: return corrupt_write_index();
    case 6: return len8_beyond_ring();
    case 7: return offset8_inside_descriptor();
    case 8: return flood();
    default: return UNKNOWN_SCENARIO;
    }
}

/* ---- set-up and command loop ----------------------------------------------- */

static int vmbus_setup(void)
{
    h.c.wait_ticks = WAIT_TICKS;
    int rc = vmbus_connect(&h.c);
    dbg_printf("vmbus-hostile: connect: status 0x%x version 0x%x\n", (unsigned)rc, h.c.version);
    if (rc)
        return rc;
    int count = vmbus_request_offers(&h.c, h.offers, MAX_OFFERS);
    struct vmbus_guid echo_guid = VMBUS_DEVICE_ECHO_GUID;
    const struct vmbus_offer *echo = count > 0 ? vmbus_find_offer(h.offers, count, &echo_guid) : 0;
    dbg_printf("vmbus-hostile: %d offers, echo %s\n", count, echo ? "found" : "missing");
    if (!echo)
        return VMBUS_ERR_INVALID;
    h.echo = *echo;
    h.have_echo = true;
    return reopen_echo() ? 0 : VMBUS_ERR_NOT_OPEN;
}

int main(void)
{
    const struct parvis_boot_info *boot = parvis_boot();
    uint32_t sint = boot->root_message_sint;
    if (sint == VMBUS_MESSAGE_SINT) {
        dbg_puts("vmbus-hostile: root commands on the VMBus SINT; refusing");
        return 2;
    }
    uint16_t status = synic_enable(sint);
    if (status != HV_STATUS_SUCCESS) {
        dbg_printf("vmbus-hostile: SynIC on SINT %u failed: 0x%x\n", sint, status);
        return 2;
    }
    int setup = vmbus_setup();

    for (;;) {
        struct hv_message cmd;
        synic_wait_message(sint, &cmd); /* the root drives us; it always sends 0 at the end */
        if (cmd.payload_size < sizeof(uint32_t))
            continue;
        uint32_t scenario;
        memcpy(&scenario, cmd.payload, sizeof(scenario));
        if (scenario == 0)
            break;
        struct reply r = {.scenario = scenario};
        if (setup == 0) {
            r.observed_status = run_scenario(scenario);
            r.echo_still_works = echo_still_works();
        } else {
            r.observed_status = (uint32_t)setup; /* VMBus never came up */
        }
        dbg_printf("vmbus-hostile: scenario %u: observed 0x%x, echo %s\n", scenario,
                   r.observed_status, r.echo_still_works ? "works" : "broken");
        hv_post_message(boot->root_message_connection_id, REPLY_TYPE, &r, sizeof(r));
    }
    if (setup == 0)
        dbg_printf("vmbus-hostile: unload: status 0x%x\n", (unsigned)vmbus_disconnect(&h.c));
    return 0;
}
