/* disk-writeloop - writes LUN 0 chunk after chunk, with several writes in
 * flight, and reports every write the device completed, so a crash test knows
 * what was acknowledged when the host died.
 *
 * Output: "disk-writeloop: seed 0x<seed> chunk <blocks> blocks of <bytes> depth
 * <n> chunks <count> start <chunk>", then for each completed write, in completion
 * order, "disk-writeloop: ack <seq> lba <lba> blocks <n>". Write seq goes to
 * chunk (start + seq) % chunks and holds disk_pattern_word(seed, offset / 8)
 * (parvis/disk.h). Writes are submitted in seq order, at most <depth> in flight,
 * so every write submitted has seq <= (highest acknowledged) + depth. A write
 * whose "ack" line cannot be printed stops the loop (no write goes unreported
 * beyond that bound).
 * Stops after PASSES passes over the disk (exit 0), 2 on a failed write, 3 on a
 * channel failure. */
#include <parvis/parvis.h>
#include <parvis/disk.h>

#define WHO "disk-writeloop"
#define RING_BYTES (64u * 1024u)
#define CHUNK_BYTES (32u * 1024u)
#define DEPTH 8u
#define PASSES 20u

struct loop {
    uint64_t seed;
    uint64_t chunks;
    uint64_t start;
};

static uint64_t chunk_lba(struct disk_sweep *w, uint64_t seq)
{
    const struct loop *l = w->ctx;
    return (l->start + seq) % l->chunks * w->chunk_blocks;
}

static bool fill(struct disk_sweep *w, struct storvsc_request *r, uint64_t lba, uint32_t blocks)
{
    const struct loop *l = w->ctx;
    (void)blocks;
    disk_pattern_fill(r->buf, lba * w->d->block_bytes, r->len, l->seed);
    return true;
}

static bool acknowledged(struct disk_sweep *w, struct storvsc_request *r)
{
    (void)w;
    if ((r->srb_status & SRB_STATUS_MASK) != SRB_STATUS_SUCCESS || r->status) {
        dbg_printf(WHO ": write %lu failed: status 0x%x srb 0x%x\n", r->tag, r->status,
                   r->srb_status);
        return false;
    }
    /* A lost line would hide a completed write from the crash test: no more
     * writes once one cannot be reported (the debug output budget ran out). */
    return dbg_printf(WHO ": ack %lu lba %lu blocks %lu\n", r->tag, be64(r->cdb + 2),
                      (uint64_t)be32(r->cdb + 10)) == HV_STATUS_SUCCESS;
}

int main(void)
{
    static struct disk_session x;
    uint8_t *buffers = disk_session_start(&x, RING_BYTES, DEPTH * CHUNK_BYTES / HV_PAGE_SIZE,
                                          CHUNK_BYTES / 512, WHO);
    if (!buffers)
        return 3;
    uint32_t chunk_blocks = CHUNK_BYTES / x.d.block_bytes;
    struct loop l = {.seed = disk_pattern_seed(),
                     .chunks = x.d.blocks / chunk_blocks};
    l.start = l.seed % l.chunks;
    dbg_printf(WHO ": seed 0x%lx chunk %u blocks of %u bytes depth %u chunks %lu start %lu\n",
               l.seed, chunk_blocks, x.d.block_bytes, DEPTH, l.chunks, l.start);
    struct disk_sweep w = {.d = &x.d, .write = true, .depth = DEPTH, .chunk_blocks = chunk_blocks,
                           .count = PASSES * l.chunks, .buffers = buffers, .prepare = fill,
                           .done = acknowledged, .lba_of = chunk_lba, .ctx = &l};
    int rc = disk_sweep_run(&w);
    dbg_printf(WHO ": %lu writes completed, %lu failed, status 0x%x\n", w.completed, w.failed,
               (unsigned)rc);
    return rc ? 3 : w.failed ? 2 : 0;
}
