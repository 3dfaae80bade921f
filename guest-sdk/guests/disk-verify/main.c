/* disk-verify - writes a seeded pseudo-random pattern across the whole of LUN 0
 * of the first synthetic SCSI controller with many requests in flight, reads it
 * all back and checks every byte.
 *
 * Output (one line each): the device and its size, "seed 0x..." (the pattern is
 * disk_pattern_word(seed, offset / 8), parvis/disk.h), the write pass, the read
 * pass, the summary, "verdict PASS|FAIL".
 * Exit status: 0 every byte read back as written; 1 data mismatches; 2 requests
 * the device failed (SRB status not SUCCESS); 3 no disk or a channel failure. */
#include <parvis/parvis.h>
#include <parvis/disk.h>

#define WHO "disk-verify"
#define RING_BYTES (64u * 1024u)
#define CHUNK_BYTES (64u * 1024u)
#define DEPTH 16u
#define MAX_REPORTED 8u

struct verify {
    uint64_t seed;
    uint64_t bad_chunks;
    uint64_t bad_bytes;
};

static bool fill(struct disk_sweep *w, struct storvsc_request *r, uint64_t lba, uint32_t blocks)
{
    const struct verify *v = w->ctx;
    (void)blocks;
    disk_pattern_fill(r->buf, lba * w->d->block_bytes, r->len, v->seed);
    return true;
}

static uint64_t count_bad_bytes(const uint8_t *buf, uint64_t at, uint32_t len, uint64_t seed)
{
    uint64_t bad = 0;
    const uint64_t *p = (const uint64_t *)buf;
    for (uint32_t k = 0; k < len / 8; k++) {
        uint64_t x = p[k] ^ disk_pattern_word(seed, at / 8 + k);
        for (; x; x >>= 8)
            bad += (x & 0xff) != 0;
    }
    return bad;
}

static bool check(struct disk_sweep *w, struct storvsc_request *r)
{
    struct verify *v = w->ctx;
    uint64_t at = be64(r->cdb + 2) * w->d->block_bytes;
    if ((r->srb_status & SRB_STATUS_MASK) != SRB_STATUS_SUCCESS)
        return true; /* counted as failed by the sweep */
    int64_t first = disk_pattern_check(r->buf, at, r->len, v->seed);
    if (first < 0)
        return true;
    uint64_t bad = count_bad_bytes(r->buf, at, r->len, v->seed);
    if (v->bad_chunks++ < MAX_REPORTED)
        dbg_printf(WHO ": mismatch at byte 0x%lx: %lu of %u bytes wrong\n", at + (uint64_t)first, bad,
                   r->len);
    v->bad_bytes += bad;
    return true;
}

static bool report_failure(struct disk_sweep *w, struct storvsc_request *r)
{
    if ((r->srb_status & SRB_STATUS_MASK) != SRB_STATUS_SUCCESS && w->failed <= MAX_REPORTED) {
        struct scsi_sense s;
        scsi_sense_decode(r->sense, sizeof(r->sense), &s);
        dbg_printf(WHO ": %s at LBA %lu failed: status 0x%x srb 0x%x scsi 0x%x sense %x/%x/%x\n",
                   w->write ? "write" : "read", be64(r->cdb + 2), r->status, r->srb_status,
                   r->scsi_status, s.key, s.asc, s.ascq);
    }
    return w->write || check(w, r);
}

/* One pass over the disk; prints what it did. */
static int pass(struct disk_sweep *w, const char *what)
{
    uint64_t t0 = vmbus_now();
    int rc = disk_sweep_run(w);
    uint64_t ms = (vmbus_now() - t0) / 10000;
    uint64_t kib_per_s = ms ? (w->bytes >> 10) * 1000 / ms : 0;
    dbg_printf(WHO ": %s %lu MiB in %lu requests (%u in flight) in %lu ms, %lu KiB/s, %lu failed, "
               "status 0x%x\n",
               what, w->bytes >> 20, w->completed, w->depth, ms, kib_per_s, w->failed, (unsigned)rc);
    return rc;
}

int main(void)
{
    static struct disk_session x;
    uint8_t *buffers = disk_session_start(&x, RING_BYTES, DEPTH * CHUNK_BYTES / HV_PAGE_SIZE,
                                          CHUNK_BYTES / 512, WHO);
    if (!buffers)
        return 3;
    uint32_t chunk_blocks = CHUNK_BYTES / x.d.block_bytes;
    struct verify v = {.seed = disk_pattern_seed()};
    dbg_printf(WHO ": seed 0x%lx\n", v.seed);

    struct disk_sweep w = {.d = &x.d, .write = true, .depth = DEPTH, .chunk_blocks = chunk_blocks,
                           .count = (x.d.blocks + chunk_blocks - 1) / chunk_blocks,
                           .buffers = buffers, .prepare = fill, .done = report_failure, .ctx = &v};
    int rc = pass(&w, "wrote");
    uint64_t write_failed = w.failed;

    static struct storvsc_request sync;
    scsi_synchronize_cache_10(&sync);
    if (rc == 0)
        rc = storvsc_execute(&x.s, &sync);
    dbg_printf(WHO ": SYNCHRONIZE CACHE: status 0x%x srb 0x%x\n", (unsigned)rc, sync.srb_status);

    struct disk_sweep r = w;
    r.write = false;
    r.prepare = 0;
    r.submitted = r.completed = r.failed = r.bytes = 0;
    if (rc == 0)
        rc = pass(&r, "read back");
    uint64_t failed = write_failed + r.failed;
    dbg_printf(WHO ": %lu bytes checked, %lu wrong bytes in %lu chunks, %lu failed requests, "
               "%lu unmatched completions\n",
               r.bytes, v.bad_bytes, v.bad_chunks, failed, x.s.unmatched_completions);
    int status = rc ? 3 : failed ? 2 : v.bad_chunks ? 1 : 0;
    disk_session_end(&x);
    dbg_printf(WHO ": verdict %s\n", status == 0 ? "PASS" : "FAIL");
    return status;
}
