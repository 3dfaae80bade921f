/* vmbus-echo - VMBus end to end: connect, list the offers, open the echo
 * channel (256 KiB data + 4 KiB control page per direction), round-trip
 * PACKETS packets of 1..65536 bytes, check every byte of every echo, close,
 * tear down, unload, report to the root.
 *
 * Report to the root (boot->root_message_connection_id, type 1):
 *   {u64 packets_sent, u64 packets_received, u64 bytes_sent, u64 bytes_received,
 *    u64 mismatches}
 * mismatches = echoes with a wrong transaction id, length or any wrong byte,
 * plus packets that never came back. Exit code 0 iff mismatches == 0.
 *
 * Payload: packet i carries the bytes of a fixed pseudo-random pattern starting
 * at word shift(i), so byte o of packet i is byte o % 8 of pattern word
 * shift(i) + o / 8: derived from (i, offset), checkable, and the pattern is built
 * once (guest stores cost ~72 ns each; only the ring copies remain per packet). */
#include <parvis/parvis.h>
#include <parvis/vmbus.h>

#define PACKETS 10000u
#define MAX_PAYLOAD 65536u
#define RING_BYTES (256u * 1024u)
#define PROGRESS_EVERY 1000u
#define RESULT_MESSAGE_TYPE 1u
#define PATTERN_WORDS (2u * MAX_PAYLOAD / 8u)
#define BIG_PACKET 5000u /* 1 + (i * 7919) % 65536 never reaches 65536 below 10000 */
#define MAX_OFFERS 32
#define MAX_REPORTED_MISMATCHES 10u

struct echo_result {
    uint64_t packets_sent;
    uint64_t packets_received;
    uint64_t bytes_sent;
    uint64_t bytes_received;
    uint64_t mismatches;
};

/* 1 byte at i = 0, 65536 at BIG_PACKET, otherwise spread over 1..65536 so the
 * packets cross the ring's end many times at many different offsets. */
static uint32_t packet_size(uint32_t i)
{
    return i == BIG_PACKET ? MAX_PAYLOAD : 1u + (i * 7919u) % MAX_PAYLOAD;
}

static uint32_t packet_shift(uint32_t i) { return (i * 131u) % (PATTERN_WORDS - MAX_PAYLOAD / 8u); }

static void *alloc_pages(uint32_t pages)
{
    uint8_t *first = page_alloc();
    for (uint32_t i = 1; first && i < pages; i++)
        if (page_alloc() != first + (uint64_t)i * HV_PAGE_SIZE)
            return 0;
    return first;
}

/* splitmix64: cheap, no stores but the result. */
static void fill_pattern(uint64_t *w)
{
    uint64_t x = 0x5041525649530001ull;
    for (uint32_t k = 0; k < PATTERN_WORDS; k++) {
        uint64_t z = (x += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        w[k] = z ^ (z >> 31);
    }
}

/* Word-wise compare of the echo with what was sent; the padding to 8 bytes
 * must come back as the zeros we sent. */
static bool echo_matches(const uint64_t *got, const uint64_t *sent, uint32_t len)
{
    uint32_t whole = len / 8;
    for (uint32_t k = 0; k < whole; k++)
        if (got[k] != sent[k])
            return false;
    if (len % 8) {
        uint64_t mask = (1ull << (8 * (len % 8))) - 1;
        if (got[whole] != (sent[whole] & mask))
            return false;
    }
    return true;
}

static void print_offers(const struct vmbus_offer *offers, int count)
{
    for (int i = 0; i < count; i++) {
        char type[37], instance[37];
        vmbus_guid_format(&offers[i].interface_type, type);
        vmbus_guid_format(&offers[i].interface_instance, instance);
        dbg_printf("vmbus-echo: offer %d: type %s instance %s relid %u connection 0x%x sub %u\n", i,
                   type, instance, offers[i].child_relid, offers[i].connection_id,
                   offers[i].sub_channel_index);
    }
}

/* One round trip; returns false when the channel is unusable (stop). */
static bool round_trip(struct vmbus_channel *ch, uint32_t i, const uint64_t *pattern, uint64_t *rx,
                       struct echo_result *r)
{
    uint32_t len = packet_size(i);
    const uint64_t *sent = pattern + packet_shift(i);
    uint64_t txid = 0x1000000ull + i;
    int rc = vmbus_send(ch, VMBUS_PACKET_TYPE_DATA_INBAND, 0, txid, sent, len);
    if (rc) {
        dbg_printf("vmbus-echo: send %u (%u bytes) failed: 0x%x\n", i, len, (unsigned)rc);
        return false;
    }
    r->packets_sent++;
    r->bytes_sent += len;

    struct vmbus_packet_info info;
    rc = vmbus_recv_wait(ch, &info, rx, MAX_PAYLOAD);
    if (rc) {
        dbg_printf("vmbus-echo: receive %u failed: 0x%x\n", i, (unsigned)rc);
        return false;
    }
    r->packets_received++;
    bool length_ok = info.payload_bytes == ((len + 7u) & ~7u);
    r->bytes_received += length_ok ? len : info.payload_bytes;
    if (info.transaction_id != txid || !length_ok || !echo_matches(rx, sent, len)) {
        if (r->mismatches++ < MAX_REPORTED_MISMATCHES)
            dbg_printf("vmbus-echo: mismatch at packet %u: sent %u bytes txid 0x%lx, got type %u "
                       "%u bytes txid 0x%lx\n",
                       i, len, txid, info.type, info.payload_bytes, info.transaction_id);
    }
    return true;
}

static int echo_channel(struct vmbus_connection *c, const struct vmbus_offer *echo,
                        struct echo_result *r)
{
    uint64_t *pattern = alloc_pages(PATTERN_WORDS * 8 / HV_PAGE_SIZE);
    uint64_t *rx = alloc_pages(MAX_PAYLOAD / HV_PAGE_SIZE);
    if (!pattern || !rx) {
        dbg_puts("vmbus-echo: out of memory for the buffers");
        return 1;
    }
    fill_pattern(pattern);

    static struct vmbus_channel ch;
    int rc = vmbus_channel_open(c, echo, &ch, RING_BYTES, RING_BYTES);
    dbg_printf("vmbus-echo: open relid %u: status 0x%x, gpadl 0x%x\n", echo->child_relid,
               (unsigned)rc, ch.gpadl);
    if (rc)
        return 1;

    uint64_t start = vmbus_now();
    for (uint32_t i = 0; i < PACKETS; i++) {
        if (!round_trip(&ch, i, pattern, rx, r))
            break;
        if ((i + 1) % PROGRESS_EVERY == 0)
            dbg_printf("vmbus-echo: %u packets, %lu bytes each way, %lu mismatches, %lu ms\n", i + 1,
                       r->bytes_sent, r->mismatches, (vmbus_now() - start) / 10000);
    }
    dbg_printf("vmbus-echo: signals sent %lu, waits for space %lu\n", ch.signals_sent,
               ch.space_waits);
    rc = vmbus_channel_close(&ch);
    dbg_printf("vmbus-echo: channel closed, GPADL 0x%x torn down (status 0x%x)\n", ch.gpadl,
               (unsigned)rc);
    return rc ? 1 : 0;
}

static int run(struct echo_result *r)
{
    static struct vmbus_connection c; /* zeroed: wait_ticks 0 = hlt-and-poll forever */
    int rc = vmbus_connect(&c);
    dbg_printf("vmbus-echo: connect: status 0x%x, version 0x%x, message connection %u\n",
               (unsigned)rc, c.version, c.msg_conn_id);
    if (rc)
        return 1;

    static struct vmbus_offer offers[MAX_OFFERS];
    int count = vmbus_request_offers(&c, offers, MAX_OFFERS);
    dbg_printf("vmbus-echo: %d offers\n", count);
    if (count < 0)
        return 1;
    print_offers(offers, count);

    struct vmbus_guid echo_guid = VMBUS_DEVICE_ECHO_GUID;
    const struct vmbus_offer *echo = vmbus_find_offer(offers, count, &echo_guid);
    if (!echo) {
        dbg_puts("vmbus-echo: no echo device offered");
        return 1;
    }
    int failed = echo_channel(&c, echo, r);

    rc = vmbus_disconnect(&c);
    dbg_printf("vmbus-echo: unload: status 0x%x (%u control messages dropped)\n", (unsigned)rc,
               c.dropped);
    return failed || rc;
}

int main(void)
{
    const struct parvis_boot_info *boot = parvis_boot();
    struct echo_result r = {0};
    int failed = run(&r);
    /* Packets that never came back (or were never sent) count as mismatches. */
    r.mismatches += PACKETS - r.packets_received;

    uint16_t status = hv_post_message(boot->root_message_connection_id, RESULT_MESSAGE_TYPE, &r,
                                      sizeof(r));
    dbg_printf("vmbus-echo: sent %lu packets / %lu bytes, received %lu packets / %lu bytes, "
               "%lu mismatches (report status 0x%x)\n",
               r.packets_sent, r.bytes_sent, r.packets_received, r.bytes_received, r.mismatches,
               status);
    if (failed && r.mismatches == 0)
        dbg_puts("vmbus-echo: warning: every echo matched but close/teardown/unload failed");
    dbg_printf("vmbus-echo: verdict %s\n", r.mismatches == 0 ? "PASS" : "FAIL");
    return r.mismatches == 0 ? 0 : 1;
}
