/* scsi.c - SCSI command descriptor blocks (SPC-4, SBC-3) and sense decoding
 * for storvsc requests. CDB fields are big-endian. */
#include <parvis/mem.h>
#include <parvis/storvsc.h>

uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

uint32_t be32(const uint8_t *p) { return (uint32_t)be16(p) << 16 | be16(p + 2); }

uint64_t be64(const uint8_t *p) { return (uint64_t)be32(p) << 32 | be32(p + 4); }

/* Big-endian store of the low `bytes` bytes of v. */
static void put_be(uint8_t *p, uint64_t v, uint32_t bytes)
{
    for (uint32_t i = bytes; i-- > 0; v >>= 8)
        p[i] = (uint8_t)v;
}

static void set(struct storvsc_request *r, uint8_t opcode, uint8_t cdb_length, uint8_t direction,
                const void *buf, uint32_t len)
{
    memset(r->cdb, 0, sizeof(r->cdb));
    r->cdb[0] = opcode;
    r->cdb_length = cdb_length;
    r->direction = len ? direction : VSTOR_DATA_NONE;
    r->buf = (void *)(uintptr_t)buf;
    r->len = len;
}

void scsi_test_unit_ready(struct storvsc_request *r)
{
    set(r, SCSI_TEST_UNIT_READY, 6, VSTOR_DATA_NONE, 0, 0);
}

void scsi_inquiry(struct storvsc_request *r, bool evpd, uint8_t page, void *buf, uint16_t len)
{
    set(r, SCSI_INQUIRY, 6, VSTOR_DATA_IN, buf, len);
    r->cdb[1] = evpd ? 1 : 0;
    r->cdb[2] = page;
    put_be(r->cdb + 3, len, 2);
}

void scsi_read_capacity_10(struct storvsc_request *r, void *buf8)
{
    set(r, SCSI_READ_CAPACITY_10, 10, VSTOR_DATA_IN, buf8, 8);
}

void scsi_read_capacity_16(struct storvsc_request *r, void *buf32)
{
    set(r, SCSI_SERVICE_ACTION_IN_16, 16, VSTOR_DATA_IN, buf32, 32);
    r->cdb[1] = SCSI_SAI_READ_CAPACITY_16;
    put_be(r->cdb + 10, 32, 4);
}

/* READ/WRITE (10) and (16) differ only in the CDB's length and where and how wide
 * the LBA and the transfer length are (SBC-3). */
struct rw_cdb {
    uint8_t read, write;   /* opcodes */
    uint8_t length;        /* CDB bytes */
    uint8_t lba_bytes;     /* at byte 2 */
    uint8_t blocks_at, blocks_bytes;
};
static const struct rw_cdb RW10 = {SCSI_READ_10, SCSI_WRITE_10, 10, 4, 7, 2};
static const struct rw_cdb RW16 = {SCSI_READ_16, SCSI_WRITE_16, 16, 8, 10, 4};

static void rw(struct storvsc_request *r, const struct rw_cdb *c, bool write, uint64_t lba,
               uint32_t blocks, const void *buf, uint32_t len)
{
    set(r, write ? c->write : c->read, c->length, write ? VSTOR_DATA_OUT : VSTOR_DATA_IN, buf, len);
    put_be(r->cdb + 2, lba, c->lba_bytes);
    put_be(r->cdb + c->blocks_at, blocks, c->blocks_bytes);
}

void scsi_read_16(struct storvsc_request *r, uint64_t lba, uint32_t blocks, void *buf, uint32_t len)
{
    rw(r, &RW16, false, lba, blocks, buf, len);
}

void scsi_write_16(struct storvsc_request *r, uint64_t lba, uint32_t blocks, const void *buf,
                   uint32_t len)
{
    rw(r, &RW16, true, lba, blocks, buf, len);
}

void scsi_read_10(struct storvsc_request *r, uint32_t lba, uint16_t blocks, void *buf, uint32_t len)
{
    rw(r, &RW10, false, lba, blocks, buf, len);
}

void scsi_write_10(struct storvsc_request *r, uint32_t lba, uint16_t blocks, const void *buf,
                   uint32_t len)
{
    rw(r, &RW10, true, lba, blocks, buf, len);
}

void scsi_synchronize_cache_10(struct storvsc_request *r)
{
    set(r, SCSI_SYNCHRONIZE_CACHE_10, 10, VSTOR_DATA_NONE, 0, 0);
}

void scsi_request_sense(struct storvsc_request *r, void *buf, uint8_t len)
{
    set(r, SCSI_REQUEST_SENSE, 6, VSTOR_DATA_IN, buf, len);
    r->cdb[4] = len;
}

void scsi_report_luns(struct storvsc_request *r, void *buf, uint32_t len)
{
    set(r, SCSI_REPORT_LUNS, 12, VSTOR_DATA_IN, buf, len);
    put_be(r->cdb + 6, len, 4);
}

void scsi_mode_sense_6(struct storvsc_request *r, uint8_t page, void *buf, uint8_t len)
{
    set(r, SCSI_MODE_SENSE_6, 6, VSTOR_DATA_IN, buf, len);
    r->cdb[2] = page & 0x3f;
    r->cdb[4] = len;
}

bool scsi_sense_decode(const uint8_t *sense, uint32_t len, struct scsi_sense *out)
{
    uint8_t code = len ? sense[0] & 0x7f : 0;
    if ((code == 0x70 || code == 0x71) && len >= 14) {
        out->key = sense[2] & 0x0f;
        out->asc = sense[12];
        out->ascq = sense[13];
        return true;
    }
    if ((code == 0x72 || code == 0x73) && len >= 4) {
        out->key = sense[1] & 0x0f;
        out->asc = sense[2];
        out->ascq = sense[3];
        return true;
    }
    out->key = out->asc = out->ascq = 0;
    return false;
}

void scsi_capacity_16_decode(const uint8_t *buf32, struct scsi_capacity *out)
{
    out->blocks = be64(buf32) + 1; /* the parameter data holds the last LBA */
    out->block_bytes = be32(buf32 + 8);
}
