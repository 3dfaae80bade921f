/* storvsc_wire.c - the storvsc client's packets byte by byte and its completion
 * matching, host-native over the real ring code (hyperv-abi-vmbus.md §7.3, §10):
 * a READ(16) leaves as DATA_USING_GPA_DIRECT with one range and the 64-byte
 * vstor_packet at offset8 * 8; completions taken in any order find their
 * requests; a forged or repeated transaction id matches nothing.
 * Also the CDB helpers, sense decoding and the disk pattern's first words.
 * Exit status 0 = pass. */
#include <stdio.h>
#include <string.h>
#include "check.h"
#include <parvis/disk.h>

#define DATA 16384u
static _Alignas(4096) uint8_t memory[2 * (4096 + DATA)];
static _Alignas(4096) uint8_t buffer[3 * 4096];
static struct vmbus_connection conn = {.wait_ticks = 1};
static struct storvsc s;

static uint64_t u64_at(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static uint32_t u32_at(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static void setup(void)
{
    memset(&s, 0, sizeof(s));
    s.ch.conn = &conn;
    s.ch.open = true;
    s.ch.relid = 1;
    s.ch.send = (struct vmbus_ring){(volatile struct vmbus_ring_control *)memory, memory + 4096, DATA, 0};
    s.ch.recv = (struct vmbus_ring){(volatile struct vmbus_ring_control *)(memory + 4096 + DATA),
                                    memory + 2 * 4096 + DATA, DATA, 0};
    s.max_transfer = STORVSC_MAX_TRANSFER;
}

/* A READ(16) of 16 blocks into a buffer 0x200 bytes into a page: 3 pages. */
static void read_leaves_as_gpa_direct(struct storvsc_request *r)
{
    memset(r, 0, sizeof(*r));
    r->lun = 3;
    scsi_read_16(r, 0x0102030405060708ull, 16, buffer + 0x200, 16 * 512);
    CHECK(storvsc_submit(&s, r) == 0, "submit");
    const uint8_t *pk = s.ch.send.data;
    uint64_t desc = u64_at(pk);
    uint32_t offset = (uint32_t)(desc >> 16 & 0xffff) * 8, len = (uint32_t)(desc >> 32 & 0xffff) * 8;
    CHECK((desc & 0xffff) == VMBUS_PACKET_TYPE_DATA_USING_GPA_DIRECT, "type %lu", (unsigned long)(desc & 0xffff));
    CHECK((desc >> 48) == VMBUS_PACKET_FLAG_COMPLETION_REQUESTED, "flags");
    CHECK(u64_at(pk + 8) == r->txid, "txid");
    CHECK(u32_at(pk + 20) == 1, "range_count %u", u32_at(pk + 20));
    CHECK(u32_at(pk + 24) == 16 * 512 && u32_at(pk + 28) == 0x200, "range len/offset");
    uint64_t pfn0 = (uint64_t)(uintptr_t)buffer >> 12;
    for (int i = 0; i < 3; i++)
        CHECK(u64_at(pk + 32 + 8 * i) == pfn0 + i, "pfn %d", i);
    CHECK(offset == 32 + 3 * 8, "offset8*8 = %u", offset);
    CHECK(len == offset + 64, "len8*8 = %u", len);
    const uint8_t *v = pk + offset;
    CHECK(u32_at(v) == VSTOR_OPERATION_EXECUTE_SRB && u32_at(v + 4) == VSTOR_FLAG_REQUEST_COMPLETION, "op");
    const uint8_t *srb = v + 12;
    CHECK(srb[0] == 0x34 && srb[1] == 0, "srb length %u", srb[0]);
    CHECK(srb[7] == 3 && srb[8] == 16 && srb[9] == 0x14 && srb[10] == VSTOR_DATA_IN, "lun/cdb/sense/data_in");
    CHECK(u32_at(srb + 12) == 16 * 512, "data_transfer_length");
    static const uint8_t cdb[16] = {0x88, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 16, 0, 0};
    CHECK(memcmp(srb + 16, cdb, 16) == 0, "READ(16) CDB");
    CHECK(u32_at(srb + 40) == (SRB_FLAGS_DATA_IN | SRB_FLAGS_DISABLE_SYNCH_TRANSFER), "srb_flags");
    CHECK(u64_at(pk + len) == 0, "trailer = start 0 << 32");
}

/* Host -> guest completion packet at the recv ring's write index. */
static void complete(uint64_t txid, uint8_t srb_status, uint32_t transferred, uint8_t sense_key)
{
    struct vmbus_ring *rr = &s.ch.recv;
    uint32_t at = rr->control->write_index;
    uint8_t *pk = rr->data + at;
    uint64_t desc = VMBUS_PACKET_TYPE_COMPLETION | 2ull << 16 | 10ull << 32;
    memcpy(pk, &desc, 8);
    memcpy(pk + 8, &txid, 8);
    struct vstor_packet v;
    memset(&v, 0, sizeof(v));
    v.operation = VSTOR_OPERATION_COMPLETE_IO;
    v.srb.srb_status = srb_status;
    v.srb.data_transfer_length = transferred;
    v.srb.sense_data[0] = 0x70;
    v.srb.sense_data[2] = sense_key;
    v.srb.sense_data[12] = 0x21;
    memcpy(pk + 16, &v, sizeof(v));
    uint64_t trailer = (uint64_t)at << 32;
    memcpy(pk + 80, &trailer, 8);
    rr->control->write_index = at + 88;
}

static void completions_match_out_of_order(struct storvsc_request *a, struct storvsc_request *b)
{
    memset(b, 0, sizeof(*b));
    scsi_test_unit_ready(b);
    CHECK(storvsc_submit(&s, b) == 0 && s.outstanding == 2, "second submit");
    CHECK((uint32_t)b->txid != (uint32_t)a->txid, "distinct slots");
    complete(b->txid, SRB_STATUS_SUCCESS, 0, 0);
    complete(b->txid, SRB_STATUS_SUCCESS, 0, 0);            /* repeated */
    complete(a->txid + (1ull << 32), SRB_STATUS_SUCCESS, 0, 0); /* stale generation */
    complete(a->txid, SRB_STATUS_ERROR | SRB_STATUS_AUTOSENSE_VALID, 512, 5);
    CHECK(storvsc_poll(&s) == 2, "two requests completed");
    CHECK(a->done && b->done && s.outstanding == 0, "both done");
    CHECK(s.unmatched_completions == 2, "unmatched %lu", (unsigned long)s.unmatched_completions);
    struct scsi_sense sense;
    CHECK(scsi_sense_decode(a->sense, sizeof(a->sense), &sense) && sense.key == 5 && sense.asc == 0x21,
          "sense");
    CHECK(a->transferred == 512 && (a->srb_status & SRB_STATUS_MASK) == SRB_STATUS_ERROR, "a's result");
}

static void helpers(void)
{
    struct storvsc_request r;
    uint8_t cap[32] = {0, 0, 0, 0, 0, 0, 0x7f, 0xff, 0, 0, 2, 0};
    struct scsi_capacity c;
    scsi_capacity_16_decode(cap, &c);
    CHECK(c.blocks == 0x8000 && c.block_bytes == 512, "capacity");
    scsi_read_capacity_16(&r, cap);
    CHECK(r.cdb[0] == 0x9E && r.cdb[1] == 0x10 && r.cdb[13] == 32 && r.cdb_length == 16, "RC16 CDB");
    scsi_write_10(&r, 0x11223344, 0x55, buffer, 0x55 * 512);
    CHECK(r.cdb[0] == 0x2A && r.cdb[2] == 0x11 && r.cdb[5] == 0x44 && r.cdb[8] == 0x55 &&
              r.direction == VSTOR_DATA_OUT, "WRITE(10) CDB");
    scsi_read_16(&r, 0x0102030405060708ull, 0x090A0B0C, buffer, 512);
    CHECK(r.cdb[0] == 0x88 && r.cdb[2] == 0x01 && r.cdb[9] == 0x08 && r.cdb[10] == 0x09 &&
              r.cdb[13] == 0x0C && r.cdb_length == 16 && r.direction == VSTOR_DATA_IN, "READ(16) CDB");
    scsi_inquiry(&r, true, 0x83, buffer, 0x0123);
    CHECK(r.cdb[0] == 0x12 && r.cdb[1] == 1 && r.cdb[2] == 0x83 && r.cdb[3] == 0x01 && r.cdb[4] == 0x23 &&
              r.cdb_length == 6, "INQUIRY CDB");
    uint8_t desc_sense[8] = {0x72, 0x06, 0x29, 0x01};
    struct scsi_sense sense;
    CHECK(scsi_sense_decode(desc_sense, 8, &sense) && sense.key == 6 && sense.asc == 0x29 && sense.ascq == 1,
          "descriptor sense");
    CHECK(!scsi_sense_decode(desc_sense, 0, &sense), "empty sense");
    /* Pinned so the Java side can recompute it (tests: DiskPattern). */
    CHECK(disk_pattern_word(0, 0) == 0xe220a8397b1dcdafull, "pattern(0,0) = %lx",
          (unsigned long)disk_pattern_word(0, 0));
}

int main(void)
{
    static struct storvsc_request a, b;
    setup();
    read_leaves_as_gpa_direct(&a);
    completions_match_out_of_order(&a, &b);
    helpers();
    printf("storvsc_wire: %s (%d failures)\n", failures ? "FAIL" : "pass", failures);
    return failures ? 1 : 0;
}
