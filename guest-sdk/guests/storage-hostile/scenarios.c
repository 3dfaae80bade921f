/* scenarios.c - what storage-hostile does to the device, and what it must answer.
 * SCSI answers follow SPC-4/SBC-3 (CHECK CONDITION with fixed or descriptor
 * sense); malformed VMBus packets must still be completed (never dropped,
 * never the channel) with a failure status. */
#include <parvis/parvis.h>
#include "hostile.h"

#define GUARD_WORD 0xA5A5A5A5A5A5A5A5ull
#define MARK_WORD 0x5A5A5A5A5A5A5A5Aull

static uint8_t *guard_low, *guard_high;

static void fill_words(void *p, uint32_t bytes, uint64_t v)
{
    for (uint32_t k = 0; k < bytes / 8; k++)
        ((uint64_t *)p)[k] = v;
}

static bool words_are(const void *p, uint32_t bytes, uint64_t v)
{
    for (uint32_t k = 0; k < bytes / 8; k++)
        if (((const uint64_t *)p)[k] != v)
            return false;
    return true;
}

void hostile_buffers_init(uint8_t *pages)
{
    guard_low = pages;
    h.data = guard_low + HV_PAGE_SIZE;
    guard_high = h.data + HOSTILE_DATA_PAGES * HV_PAGE_SIZE;
    fill_words(guard_low, HV_PAGE_SIZE, GUARD_WORD);
    fill_words(guard_high, HV_PAGE_SIZE, GUARD_WORD);
}

bool hostile_guards_intact(void)
{
    return words_are(guard_low, HV_PAGE_SIZE, GUARD_WORD) &&
           words_are(guard_high, HV_PAGE_SIZE, GUARD_WORD);
}

/* ---- running one request and judging the answer ------------------------------- */

void hostile_take(struct outcome *o, const struct storvsc_request *r)
{
    o->status = r->status;
    o->srb_status = r->srb_status;
    o->scsi_status = r->scsi_status;
    o->transferred = r->transferred;
    scsi_sense_decode(r->sense, sizeof(r->sense), &o->sense);
}

static bool execute(struct storvsc_request *r, struct outcome *o)
{
    r->target = h.x.d.target;
    int rc = storvsc_execute(&h.x.s, r);
    hostile_take(o, r);
    if (rc)
        fmt_snprintf(o->note, sizeof(o->note), " [no completion: 0x%x]", (unsigned)rc);
    return rc == 0;
}

static bool check_condition(const struct outcome *o, uint8_t key, uint8_t asc)
{
    return (o->srb_status & SRB_STATUS_MASK) == SRB_STATUS_ERROR &&
           (o->srb_status & SRB_STATUS_AUTOSENSE_VALID) &&
           o->scsi_status == SCSI_STATUS_CHECK_CONDITION && o->sense.key == key &&
           o->sense.asc == asc;
}

bool hostile_failed(const struct outcome *o)
{
    return o->status != VSTOR_STATUS_SUCCESS || (o->srb_status & SRB_STATUS_MASK) != SRB_STATUS_SUCCESS;
}

static void request(struct storvsc_request *r)
{
    memset(r, 0, sizeof(*r));
}

/* ---- SCSI-level abuse ------------------------------------------------------------ */

static bool run_lba_past_end(struct outcome *o)
{
    static struct storvsc_request r;
    request(&r);
    scsi_read_16(&r, h.x.d.blocks, 1, h.data, h.x.d.block_bytes);
    return execute(&r, o) && check_condition(o, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
}
const struct scenario lba_past_end = {"read at the LBA after the last",
                                      "CHECK CONDITION 5/21/00", run_lba_past_end};

static bool write_block(uint64_t lba, uint32_t blocks, uint64_t seed, struct outcome *o)
{
    static struct storvsc_request r;
    request(&r);
    disk_pattern_fill(h.data, lba * h.x.d.block_bytes, blocks * h.x.d.block_bytes, seed);
    scsi_write_16(&r, lba, blocks, h.data, blocks * h.x.d.block_bytes);
    return execute(&r, o);
}

static bool run_write_straddling_end(struct outcome *o)
{
    uint64_t last = h.x.d.blocks - 1;
    struct outcome before;
    if (!write_block(last, 1, 0xAAAA, &before) || hostile_failed(&before))
        return false;
    bool answered = write_block(last, 2, 0xBBBB, o) &&
                    check_condition(o, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
    static struct storvsc_request r;
    struct outcome read;
    request(&r);
    scsi_read_16(&r, last, 1, h.data, h.x.d.block_bytes);
    bool kept = execute(&r, &read) && !hostile_failed(&read) &&
                disk_pattern_check(h.data, last * h.x.d.block_bytes, h.x.d.block_bytes, 0xAAAA) < 0;
    if (!kept)
        fmt_snprintf(o->note, sizeof(o->note), " [the refused write changed the last block]");
    return answered && kept;
}
const struct scenario write_straddling_end = {
    "write of 2 blocks at the last LBA", "CHECK CONDITION 5/21/00 and the last block unchanged",
    run_write_straddling_end};

/* READ of 8 blocks into a buffer of one: refused, and nothing written past it. */
static bool run_buffer_shorter(struct outcome *o)
{
    static struct storvsc_request r;
    request(&r);
    fill_words(h.data, HOSTILE_DATA_PAGES * HV_PAGE_SIZE, MARK_WORD);
    scsi_read_16(&r, 0, 8, h.data, h.x.d.block_bytes);
    bool answered = execute(&r, o);
    uint8_t low = o->srb_status & SRB_STATUS_MASK;
    bool refused = low == SRB_STATUS_INVALID_REQUEST || low == SRB_STATUS_DATA_OVERRUN ||
                   check_condition(o, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
    bool untouched = words_are(h.data + h.x.d.block_bytes,
                               HOSTILE_DATA_PAGES * HV_PAGE_SIZE - h.x.d.block_bytes, MARK_WORD);
    if (!untouched)
        fmt_snprintf(o->note, sizeof(o->note), " [bytes past the buffer were written]");
    return answered && refused && o->transferred <= h.x.d.block_bytes && untouched;
}
const struct scenario buffer_shorter_than_transfer = {
    "READ(16) of 8 blocks with a 1-block buffer",
    "INVALID_REQUEST, DATA_OVERRUN or 5/24/00; nothing past the buffer", run_buffer_shorter};

/* READ of 1 block into a buffer of 2: either refused like the shorter buffer
 * (the transfer length must equal the buffer) or one block moved with the
 * length reported; never anything written past that block. */
static bool run_buffer_longer(struct outcome *o)
{
    static struct storvsc_request r;
    request(&r);
    fill_words(h.data, HOSTILE_DATA_PAGES * HV_PAGE_SIZE, MARK_WORD);
    scsi_read_16(&r, 0, 1, h.data, 2 * h.x.d.block_bytes);
    bool answered = execute(&r, o);
    uint8_t low = o->srb_status & SRB_STATUS_MASK;
    bool refused = low == SRB_STATUS_INVALID_REQUEST ||
                   check_condition(o, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
    bool one_block = (low == SRB_STATUS_SUCCESS || low == SRB_STATUS_DATA_OVERRUN) && o->status == 0 &&
                     o->transferred == h.x.d.block_bytes;
    bool untouched = words_are(h.data + h.x.d.block_bytes,
                               HOSTILE_DATA_PAGES * HV_PAGE_SIZE - h.x.d.block_bytes, MARK_WORD);
    if (!untouched)
        fmt_snprintf(o->note, sizeof(o->note), " [bytes past the transfer were written]");
    return answered && (refused || one_block) && untouched;
}
const struct scenario buffer_longer_than_transfer = {
    "READ(16) of 1 block with a 2-block buffer",
    "refused (INVALID_REQUEST or 5/24/00), or 1 block moved and reported; nothing past it",
    run_buffer_longer};

static bool run_unknown_opcode(struct outcome *o)
{
    static struct storvsc_request r;
    request(&r);
    scsi_test_unit_ready(&r);
    r.cdb[0] = 0xC7; /* vendor specific, never a disk command */
    return execute(&r, o) &&
           check_condition(o, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ASC_INVALID_COMMAND_OPCODE);
}
const struct scenario unknown_opcode = {"CDB opcode 0xC7", "CHECK CONDITION 5/20/00",
                                        run_unknown_opcode};

static bool run_bad_inquiry_page(struct outcome *o)
{
    static struct storvsc_request r;
    request(&r);
    scsi_inquiry(&r, true, 0x42, h.data, 255);
    return execute(&r, o) &&
           check_condition(o, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
}
const struct scenario bad_inquiry_page = {"INQUIRY of VPD page 0x42", "CHECK CONDITION 5/24/00",
                                          run_bad_inquiry_page};

static bool run_cdb_length_too_long(struct outcome *o)
{
    static struct storvsc_request r;
    request(&r);
    scsi_test_unit_ready(&r);
    r.cdb_length = 0xFF; /* the CDB field holds 16 */
    return execute(&r, o) && hostile_failed(o);
}
const struct scenario cdb_length_too_long = {"cdb_length 255", "a failure (not SUCCESS)",
                                             run_cdb_length_too_long};

static bool run_missing_lun(struct outcome *o)
{
    static struct storvsc_request r;
    request(&r);
    scsi_test_unit_ready(&r);
    r.lun = 200;
    return execute(&r, o) && (o->srb_status & SRB_STATUS_MASK) == SRB_STATUS_INVALID_LUN;
}
const struct scenario missing_lun = {"TEST UNIT READY to LUN 200", "SRB_STATUS_INVALID_LUN",
                                     run_missing_lun};
