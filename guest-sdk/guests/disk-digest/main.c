/* disk-digest - reads the whole of LUN 0 with many requests in flight and
 * prints a digest of its bytes, so a test can check what another tool wrote
 * (qemu-io, say) arrives in the guest unchanged. Writes nothing.
 *
 * Digest: FNV-1a over 64-bit little-endian words (offset basis
 * 0xcbf29ce484222325, prime 0x100000001b3, one multiply per word) of each
 * 64 KiB chunk, then the same over the chunk digests in LBA order.
 * Output: "disk-digest: fnv64-words 0x<digest> of <bytes> bytes in <n> chunks".
 * Exit status: 0; 2 a read failed; 3 no disk or a channel failure. */
#include <parvis/parvis.h>
#include <parvis/disk.h>

#define WHO "disk-digest"
#define RING_BYTES (64u * 1024u)
#define CHUNK_BYTES (64u * 1024u)
#define DEPTH 16u
#define MAX_CHUNKS 8192u /* 512 MiB */
#define FNV_BASIS 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static uint64_t chunk_digest[MAX_CHUNKS];

static uint64_t fnv_words(uint64_t h, const uint64_t *w, uint64_t n)
{
    for (uint64_t k = 0; k < n; k++)
        h = (h ^ w[k]) * FNV_PRIME;
    return h;
}

static bool digest(struct disk_sweep *w, struct storvsc_request *r)
{
    (void)w;
    if ((r->srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS && r->status == 0)
        chunk_digest[r->tag] = fnv_words(FNV_BASIS, r->buf, r->len / 8);
    return true;
}

int main(void)
{
    static struct disk_session x;
    uint8_t *buffers = disk_session_start(&x, RING_BYTES, DEPTH * CHUNK_BYTES / HV_PAGE_SIZE,
                                          CHUNK_BYTES / 512, WHO);
    if (!buffers)
        return 3;
    uint32_t chunk_blocks = CHUNK_BYTES / x.d.block_bytes;
    uint64_t chunks = (x.d.blocks + chunk_blocks - 1) / chunk_blocks;
    if (chunks > MAX_CHUNKS) {
        dbg_printf(WHO ": %lu chunks, at most %u\n", chunks, MAX_CHUNKS);
        return 3;
    }
    struct disk_sweep w = {.d = &x.d, .depth = DEPTH, .chunk_blocks = chunk_blocks,
                           .count = chunks, .buffers = buffers, .done = digest};
    int rc = disk_sweep_run(&w);
    uint64_t total = fnv_words(FNV_BASIS, chunk_digest, chunks);
    dbg_printf(WHO ": fnv64-words 0x%lx of %lu bytes in %lu chunks, %lu failed, status 0x%x\n",
               total, w.bytes, chunks, w.failed, (unsigned)rc);
    disk_session_end(&x);
    return rc ? 3 : w.failed ? 2 : 0;
}
