/* disk.c - a LUN as a block device: open and size it, sweep it with many
 * requests in flight, and the seeded pattern of the disk guests. */
#include <parvis/cpu.h>
#include <parvis/debug.h>
#include <parvis/disk.h>
#include <parvis/mem.h>

#define CAPACITY_TRIES 4

/* READ CAPACITY (16); a CHECK CONDITION (a unit attention after attach, say)
 * is answered by asking again. */
static int read_capacity(struct disk *d, const char *who)
{
    static uint8_t data[32] __attribute__((aligned(64)));
    static struct storvsc_request r;
    for (int attempt = 0; attempt < CAPACITY_TRIES; attempt++) {
        memset(&r, 0, sizeof(r));
        r.target = d->target;
        r.lun = d->lun;
        scsi_read_capacity_16(&r, data);
        int rc = storvsc_execute(d->s, &r);
        if (rc)
            return rc;
        if ((r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS) {
            struct scsi_capacity cap;
            scsi_capacity_16_decode(data, &cap);
            d->blocks = cap.blocks;
            d->block_bytes = cap.block_bytes;
            return cap.block_bytes && cap.block_bytes % 8 == 0 ? 0 : VMBUS_ERR_INVALID;
        }
        struct scsi_sense sense;
        scsi_sense_decode(r.sense, sizeof(r.sense), &sense);
        dbg_printf("%s: READ CAPACITY (16): srb 0x%x scsi 0x%x sense %x/%x/%x\n", who,
                   r.srb_status, r.scsi_status, sense.key, sense.asc, sense.ascq);
    }
    return VMBUS_ERR_INVALID;
}

int disk_open(struct vmbus_connection *c, struct storvsc *s, struct disk *d, uint8_t lun,
              uint32_t ring_bytes, const char *who)
{
    static struct vmbus_offer offer;
    int rc = storvsc_find(c, &offer);
    dbg_printf("%s: VMBus 0x%x, SCSI controller: status 0x%x relid %u\n", who, c->version,
               (unsigned)rc, offer.child_relid);
    if (rc)
        return rc;
    rc = storvsc_open(c, &offer, s, ring_bytes);
    dbg_printf("%s: storvsc open: status 0x%x, protocol 0x%x, max transfer %u, max channels %u\n",
               who, (unsigned)rc, s->version, s->properties.max_transfer_bytes,
               s->properties.max_channel_count);
    if (rc)
        return rc;
    memset(d, 0, sizeof(*d));
    d->s = s;
    d->lun = lun;
    rc = read_capacity(d, who);
    dbg_printf("%s: LUN %u: %lu blocks of %u bytes (%lu MiB), status 0x%x\n", who, lun, d->blocks,
               d->block_bytes, d->blocks * d->block_bytes >> 20, (unsigned)rc);
    return rc;
}

uint8_t *disk_session_start(struct disk_session *x, uint32_t ring_bytes, uint32_t buffer_pages,
                            uint64_t min_blocks, const char *who)
{
    if (disk_open(&x->c, &x->s, &x->d, 0, ring_bytes, who))
        return 0;
    uint8_t *buffers = page_alloc_contiguous(buffer_pages);
    if (!buffers || x->d.blocks < min_blocks) {
        dbg_printf("%s: no memory for %u buffer pages, or a disk under %lu blocks\n", who,
                   buffer_pages, min_blocks);
        return 0;
    }
    return buffers;
}

void disk_session_end(struct disk_session *x)
{
    storvsc_close(&x->s);
    vmbus_disconnect(&x->c);
}

/* ---- sweeps ------------------------------------------------------------------ */

static struct storvsc_request reqs[STORVSC_SLOTS];
static bool busy[STORVSC_SLOTS];

static uint64_t lba_of(struct disk_sweep *w, uint64_t i)
{
    return w->lba_of ? w->lba_of(w, i) : w->first_lba + i * w->chunk_blocks;
}

/* A completed request: count it, hand it to the caller, free its slot. */
static bool finish(struct disk_sweep *w, uint32_t k)
{
    struct storvsc_request *r = &reqs[k];
    busy[k] = false;
    w->completed++;
    if ((r->srb_status & SRB_STATUS_MASK) != SRB_STATUS_SUCCESS || r->status)
        w->failed++;
    else
        w->bytes += r->transferred;
    return !w->done || w->done(w, r);
}

/* Fills slot k with request i and sends it (or, null_io, completes it at once). */
static bool start(struct disk_sweep *w, uint32_t k, uint64_t i)
{
    struct disk *d = w->d;
    struct storvsc_request *r = &reqs[k];
    uint64_t lba = lba_of(w, i);
    uint64_t left = lba < d->blocks ? d->blocks - lba : 0;
    uint32_t blocks = left < w->chunk_blocks ? (uint32_t)left : w->chunk_blocks;
    uint8_t *buf = w->buffers + (uint64_t)k * w->chunk_blocks * d->block_bytes;
    memset(r, 0, sizeof(*r));
    r->target = d->target;
    r->lun = d->lun;
    r->tag = i;
    if (w->write)
        scsi_write_16(r, lba, blocks, buf, blocks * d->block_bytes);
    else
        scsi_read_16(r, lba, blocks, buf, blocks * d->block_bytes);
    if (w->prepare && !w->prepare(w, r, lba, blocks))
        return false;
    busy[k] = true;
    w->submitted++;
    if (w->null_io) {
        r->done = true;
        r->srb_status = SRB_STATUS_SUCCESS;
        r->transferred = r->len;
        return finish(w, k);
    }
    w->error = storvsc_submit(d->s, r);
    if (w->error)
        busy[k] = false;
    return w->error == 0;
}

int disk_sweep_run(struct disk_sweep *w)
{
    uint32_t depth = w->depth < STORVSC_SLOTS ? w->depth : STORVSC_SLOTS;
    uint32_t in_flight = 0;
    uint64_t next = 0;
    bool go = true;
    w->error = 0;
    memset(busy, 0, sizeof(busy));
    for (;;) {
        for (uint32_t k = 0; go && k < depth && next < w->count; k++)
            if (!busy[k]) {
                go = start(w, k, next++);
                in_flight += busy[k];
            }
        if (in_flight == 0 && (!go || next >= w->count))
            return w->error;
        if (in_flight == 0)
            continue;
        int n = storvsc_wait(w->d->s);
        if (n < 0)
            return w->error = n;
        for (uint32_t k = 0; k < depth; k++)
            if (busy[k] && reqs[k].done) {
                in_flight--;
                go = finish(w, k) && go;
            }
    }
}

/* ---- the pattern ---------------------------------------------------------------- */

uint64_t disk_pattern_word(uint64_t seed, uint64_t word_index)
{
    uint64_t z = seed + (word_index + 1) * 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t disk_pattern_seed(void)
{
    return disk_pattern_word(rdtsc(), vmbus_now());
}

void disk_pattern_fill(void *buf, uint64_t at, uint32_t len, uint64_t seed)
{
    uint64_t *p = buf;
    uint64_t w0 = at / 8;
    for (uint32_t k = 0; k < len / 8; k++)
        p[k] = disk_pattern_word(seed, w0 + k);
}

int64_t disk_pattern_check(const void *buf, uint64_t at, uint32_t len, uint64_t seed)
{
    const uint64_t *p = buf;
    uint64_t w0 = at / 8;
    for (uint32_t k = 0; k < len / 8; k++) {
        uint64_t want = disk_pattern_word(seed, w0 + k);
        if (p[k] != want) {
            uint32_t b = 0;
            while (((p[k] ^ want) >> (8 * b) & 0xff) == 0)
                b++;
            return (int64_t)k * 8 + b;
        }
    }
    return -1;
}
