/* icfuzz - a hostile integration-service guest for the root's IC fuzz test.
 *
 * Connects VMBus, opens every offered integration-service channel, never answers the host's
 * requests properly, and sends MESSAGES malformed IC messages round robin over the channels:
 * random framing and lengths, truncated headers, unknown framework and message versions, wrong
 * flags, unsolicited responses with random transaction ids, garbage bodies. Every packet is a
 * well-formed VMBus in-band packet: the malformation is in the IC layer the root must survive.
 * Finally it posts {u64 sent, u64 send_failures, u64 channels} to the root and idles (halted, its
 * channels still open) so the root can inspect the services it degraded; the root turns it off. */
#include <parvis/parvis.h>
#include <parvis/vmbus.h>
#include <parvis/ic.h>

#define MAX_OFFERS 32
#define MESSAGES 10000u
#define PACKET_BYTES 320u
#define REPORT_TYPE 1u

static struct vmbus_connection conn;
static struct vmbus_offer offers[MAX_OFFERS];
static struct ic_channel channels[IC_SERVICE_COUNT];
static struct ic_message incoming;
static uint8_t packet[PACKET_BYTES] __attribute__((aligned(8)));
static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next_random(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1Dull;
}

/* Fills packet with one malformed IC message of the given kind; returns its length. */
static uint32_t build(uint32_t kind, uint16_t message_type)
{
    struct vmbus_pipe_header *pipe = (struct vmbus_pipe_header *)packet;
    struct ic_message_header *h = (struct ic_message_header *)(packet + IC_HEADER_OFFSET);
    uint32_t len = IC_HEADER_OFFSET + sizeof(*h) + (uint32_t)(next_random() % 200u);
    for (uint32_t i = 0; i < len; i += 8) {
        uint64_t r = next_random();
        memcpy(packet + i, &r, 8);
    }
    pipe->type = IC_PIPE_PACKET_DATA;
    pipe->length = len - IC_HEADER_OFFSET;
    h->framework_major = 3;
    h->framework_minor = 0;
    h->message_type = message_type;
    h->message_major = 3;
    h->message_minor = 0;
    h->message_size = (uint16_t)(len - IC_HEADER_OFFSET - sizeof(*h));
    h->flags = IC_FLAG_TRANSACTION | IC_FLAG_RESPONSE;
    switch (kind % 8u) {
    case 0: break;                                                 /* garbage body, random txid */
    case 1: pipe->length = 0xFFFF0000u; break;                     /* pipe length past the packet */
    case 2: pipe->type = (uint32_t)next_random(); break;           /* unknown pipe packet type */
    case 3: h->message_size = 0xFFFF; break;                       /* body size past the packet */
    case 4: h->flags = (uint8_t)next_random(); break;              /* nonsense flags */
    case 5: h->framework_major = 77; h->message_major = 99; break; /* unknown versions */
    case 6: len = IC_HEADER_OFFSET + (uint32_t)(next_random() % sizeof(*h)); /* truncated header */
            pipe->length = len - IC_HEADER_OFFSET; break;
    default: h->message_type = (uint16_t)next_random(); break;     /* unknown message type */
    }
    return len;
}

/* Drops whatever the host sent (its negotiation requests stay unanswered). */
static void drain(struct ic_channel *ic)
{
    while (ic_recv(ic, &incoming) != VMBUS_ERR_EMPTY) {
    }
}

int main(void)
{
    const struct parvis_boot_info *boot = parvis_boot();
    int rc = vmbus_connect(&conn);
    int count = rc == 0 ? vmbus_request_offers(&conn, offers, MAX_OFFERS) : 0;
    uint64_t open = 0;
    for (int s = 0; s < IC_SERVICE_COUNT; s++) {
        const struct vmbus_offer *o = vmbus_find_offer(offers, count, &ic_services[s].device_class);
        if (o && ic_open(&conn, o, &ic_services[s], &channels[s]) == 0)
            open++;
    }
    dbg_printf("icfuzz: VMBus status %d, %d offers, %lu IC channels open\n", rc, count, open);
    uint64_t sent = 0, failures = 0;
    for (uint32_t i = 0; open > 0 && i < MESSAGES; i++) {
        struct ic_channel *ic = &channels[i % IC_SERVICE_COUNT];
        if (!ic->open)
            continue;
        uint32_t len = build(i, ic->service->message_type);
        if (vmbus_send(&ic->ch, VMBUS_PACKET_TYPE_DATA_INBAND, 0, next_random(), packet, len) == 0)
            sent++;
        else
            failures++;
        if ((i & 63u) == 0)
            drain(ic);
        if (i % 2000u == 0)
            dbg_printf("icfuzz: %u messages\n", i);
    }
    uint64_t report[3] = {sent, failures, open};
    uint16_t status = hv_post_message(boot->root_message_connection_id, REPORT_TYPE, report, sizeof(report));
    dbg_printf("icfuzz: sent %lu malformed IC messages (%lu send failures), report status 0x%x\n", sent, failures, status);
    for (;;) {
        for (int s = 0; s < IC_SERVICE_COUNT; s++)
            if (channels[s].open)
                drain(&channels[s]);
        hv_halt();
    }
}
