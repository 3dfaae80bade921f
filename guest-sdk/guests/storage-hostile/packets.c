/* packets.c - storage-hostile's malformed packets: GPA-direct ranges that lie,
 * page numbers beyond RAM, an unknown operation, and a flood past the rings.
 * Each malformed request must be completed with a failure, nothing else. */
#include <parvis/parvis.h>
#include "hostile.h"

#define FLOOD_MAX 4096u
#define FLOOD_TXID 0xF100D00000000000ull

/* A READ(16) of `blocks` from LBA 0 whose GPA-direct header the caller spoils. */
static uint32_t read_packet(struct storvsc_request *r, struct vstor_packet *p,
                            struct storvsc_gpa_direct *g, uint32_t blocks)
{
    memset(r, 0, sizeof(*r));
    scsi_read_16(r, 0, blocks, h.data, blocks * h.x.d.block_bytes);
    return storvsc_build(&h.x.s, r, p, g);
}

static bool send_raw(struct storvsc_request *r, const struct storvsc_gpa_direct *g,
                     uint32_t header_len, const struct vstor_packet *p, uint16_t type,
                     struct outcome *o)
{
    int rc = storvsc_submit_packet(&h.x.s, r, type, g, header_len, p, sizeof(*p));
    if (rc == 0)
        rc = storvsc_wait_for(&h.x.s, r);
    hostile_take(o, r);
    if (rc)
        fmt_snprintf(o->note, sizeof(o->note), " [no completion: 0x%x]", (unsigned)rc);
    return rc == 0;
}

static struct storvsc_request r;
static struct vstor_packet p;
static struct storvsc_gpa_direct g;

/* The range claims 2 pages; the header carries 1 page number. */
static bool run_range_beyond_pfns(struct outcome *o)
{
    uint32_t blocks = 2 * HV_PAGE_SIZE / h.x.d.block_bytes;
    read_packet(&r, &p, &g, blocks);
    uint32_t one_pfn = (uint32_t)__builtin_offsetof(struct storvsc_gpa_direct, pfn) + 8;
    return send_raw(&r, &g, one_pfn, &p, VMBUS_PACKET_TYPE_DATA_USING_GPA_DIRECT, o) && hostile_failed(o);
}
const struct scenario range_beyond_pfns = {"GPA range of 2 pages with 1 page number",
                                           "a completion with a failure", run_range_beyond_pfns};

/* A page number just past the guest's RAM, then the largest one there is. */
static bool run_pfn_beyond_ram(struct outcome *o)
{
    static const uint64_t beyond[2] = {0, 0x000FFFFFFFFFFFFFull};
    for (int i = 0; i < 2; i++) {
        uint32_t header = read_packet(&r, &p, &g, 1);
        g.pfn[0] = i == 0 ? (parvis_boot()->ram_size >> 12) + 16 : beyond[i];
        if (!send_raw(&r, &g, header, &p, VMBUS_PACKET_TYPE_DATA_USING_GPA_DIRECT, o) || !hostile_failed(o))
            return false;
    }
    return true;
}
const struct scenario pfn_beyond_ram = {"page numbers beyond RAM (RAM + 16 pages, 2^52 - 1)",
                                        "completions with a failure", run_pfn_beyond_ram};

/* offset + count wraps 32 bits to a 0-page range. */
static bool run_page_count_overflow(struct outcome *o)
{
    uint32_t header = read_packet(&r, &p, &g, 1);
    g.range.byte_offset = 0xFFF;
    g.range.byte_count = 0xFFFFF001u;
    return send_raw(&r, &g, header, &p, VMBUS_PACKET_TYPE_DATA_USING_GPA_DIRECT, o) && hostile_failed(o);
}
const struct scenario page_count_overflow = {"GPA range offset 0xFFF count 0xFFFFF001",
                                             "a completion with a failure", run_page_count_overflow};

static bool run_range_count_beyond_packet(struct outcome *o)
{
    uint32_t header = read_packet(&r, &p, &g, 1);
    g.head.range_count = 0xFFFFFFFFu;
    return send_raw(&r, &g, header, &p, VMBUS_PACKET_TYPE_DATA_USING_GPA_DIRECT, o) && hostile_failed(o);
}
const struct scenario range_count_beyond_packet = {
    "range_count 0xFFFFFFFF with one range", "a completion with a failure",
    run_range_count_beyond_packet};

static bool run_unknown_operation(struct outcome *o)
{
    memset(&r, 0, sizeof(r));
    memset(&p, 0, sizeof(p));
    p.operation = 0x77;
    p.flags = VSTOR_FLAG_REQUEST_COMPLETION;
    return send_raw(&r, &g, 0, &p, VMBUS_PACKET_TYPE_DATA_INBAND, o) &&
           o->status != VSTOR_STATUS_SUCCESS;
}
const struct scenario unknown_operation = {"vstor operation 0x77",
                                           "a completion with an NTSTATUS failure",
                                           run_unknown_operation};

/* ---- the flood ---------------------------------------------------------------------- */

static uint64_t seen[FLOOD_MAX / 64];

/* Takes completions until `sent` arrived or a 3 s wait passed; counts BUSY
 * answers, other failures and duplicates. Returns the number taken. */
static uint32_t drain(uint32_t sent, uint32_t *busy, uint32_t *bad, uint32_t *duplicates)
{
    static union {
        struct vstor_packet vstor;
        uint64_t words[512];
    } m;
    uint32_t got = 0;
    while (got < sent) {
        struct vmbus_packet_info info;
        if (vmbus_recv_wait(&h.x.s.ch, &info, m.words, sizeof(m)))
            break;
        uint64_t i = info.transaction_id - FLOOD_TXID;
        if (info.type != VMBUS_PACKET_TYPE_COMPLETION || i >= sent)
            continue;
        if (seen[i / 64] >> (i % 64) & 1) {
            (*duplicates)++;
            continue;
        }
        seen[i / 64] |= 1ull << (i % 64);
        got++;
        uint8_t srb = m.vstor.srb.srb_status & SRB_STATUS_MASK;
        if (srb == SRB_STATUS_BUSY)
            (*busy)++;
        else if (info.payload_bytes < sizeof(m.vstor) || m.vstor.status || srb != SRB_STATUS_SUCCESS)
            (*bad)++;
    }
    return got;
}

/* READ(16)s sent without taking a completion until the send ring stays full
 * for 3 s (the host stopped taking requests because our receive ring is full),
 * then every completion taken: each request answered exactly once, SUCCESS or
 * BUSY (a host may refuse what is past its own in-flight bound), no other failure. */
static bool run_flood(struct outcome *o)
{
    uint32_t header = read_packet(&r, &p, &g, 1);
    uint32_t sent = 0;
    int rc = 0;
    memset(seen, 0, sizeof(seen));
    while (sent < FLOOD_MAX && rc == 0) {
        rc = vmbus_send_with_header(&h.x.s.ch, VMBUS_PACKET_TYPE_DATA_USING_GPA_DIRECT,
                                    VMBUS_PACKET_FLAG_COMPLETION_REQUESTED, FLOOD_TXID + sent, &g,
                                    header, &p, sizeof(p));
        sent += rc == 0;
    }
    uint32_t busy = 0, bad = 0, duplicates = 0;
    uint32_t got = drain(sent, &busy, &bad, &duplicates);
    o->transferred = got;
    fmt_snprintf(o->note, sizeof(o->note),
                 " [sent %u, ring full: %s, answered %u, busy %u, failed %u, twice %u]", sent,
                 rc == VMBUS_ERR_TIMEOUT ? "yes" : "no", got, busy, bad, duplicates);
    return rc == VMBUS_ERR_TIMEOUT && got == sent && bad == 0 && duplicates == 0;
}
const struct scenario flood = {
    "flood of READ(16)s past both rings",
    "the send ring fills (back-pressure), then every request answered once, SUCCESS or BUSY",
    run_flood};
