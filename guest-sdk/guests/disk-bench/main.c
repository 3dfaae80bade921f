/* disk-bench - the guest's view of synthetic SCSI speed on LUN 0: sequential
 * writes and reads in the largest transfers the host allows, and 4 KiB random
 * reads with 32 in flight. Each loop runs twice: with its I/O, and with the I/O
 * removed (every request completes at once, nothing is sent), so the guest's
 * own ceiling shows beside the measured figure. That loop takes microseconds,
 * too short to time against a 100 ns clock, and a busy host preempts the guest
 * in most milliseconds: so it repeats in batches of at least NOIO_BATCH_TICKS
 * until it has run NOIO_MIN_TICKS, and reports the fastest batch. Nothing
 * makes the loop faster than it is, only slower (preemption, cold caches), so
 * the fastest batch is the loop's own ceiling.
 *
 * One line per workload:
 *   disk-bench: <name> iops=<n> mibps=<x.xx> noio_iops=<n> noio_mibps=<x.xx> ratio=<io/noio>
 * Exit status: 0, 2 if any request failed, 3 no disk or a channel failure. */
#include <parvis/parvis.h>
#include <parvis/disk.h>

#define WHO "disk-bench"
#define RING_BYTES (128u * 1024u)
#define SEQ_DEPTH 4u
#define RANDOM_DEPTH 32u
#define RANDOM_BYTES 4096u
#define RANDOM_COUNT 4096u
#define MAX_SEQ_BYTES (64ull << 20)
#define NOIO_MIN_TICKS 2000000ull /* 200 ms in 100 ns units */
#define NOIO_BATCH_TICKS 10000ull /* 1 ms */
#define NOIO_BATCHES 255u
#define NOIO_MAX_ROUNDS 100000u

struct figure {
    uint64_t iops;
    uint64_t centi_mibps; /* MiB/s * 100 */
};

static uint64_t random_lba(struct disk_sweep *w, uint64_t i)
{
    uint64_t slots = w->d->blocks / w->chunk_blocks;
    return disk_pattern_word(0x5EED, i) % slots * w->chunk_blocks;
}

static void set_figure(struct figure *f, uint64_t completed, uint64_t bytes, uint64_t ticks)
{
    if (ticks == 0)
        ticks = 1;
    f->iops = completed * 10000000ull / ticks;
    f->centi_mibps = (bytes * 100 / ticks) * 10000000ull >> 20;
}

static int measure(struct disk_sweep w, struct figure *f)
{
    w.null_io = false;
    uint64_t t0 = vmbus_now();
    int rc = disk_sweep_run(&w);
    set_figure(f, w.completed, w.bytes, vmbus_now() - t0);
    if (w.failed)
        dbg_printf(WHO ": %lu of %lu requests failed\n", w.failed, w.completed);
    return rc ? 3 : w.failed ? 2 : 0;
}

struct noio_batch {
    uint64_t completed, bytes, ticks;
};

/* One batch: rounds of the loop without I/O until it has run NOIO_BATCH_TICKS. */
static struct noio_batch noio_batch(const struct disk_sweep *w, uint32_t *rounds)
{
    struct noio_batch b = {0, 0, 0};
    while (b.ticks < NOIO_BATCH_TICKS && *rounds < NOIO_MAX_ROUNDS) {
        struct disk_sweep once = *w;
        once.null_io = true;
        uint64_t t0 = vmbus_now();
        disk_sweep_run(&once);
        b.ticks += vmbus_now() - t0;
        b.completed += once.completed;
        b.bytes += once.bytes;
        (*rounds)++;
    }
    if (b.ticks == 0)
        b.ticks = 1;
    return b;
}

/* The same loop with the I/O removed: its fastest batch by request rate. */
static void measure_noio(struct disk_sweep w, struct figure *f)
{
    static struct noio_batch batches[NOIO_BATCHES];
    uint32_t n = 0, rounds = 0;
    uint64_t total = 0;
    while (n < NOIO_BATCHES && total < NOIO_MIN_TICKS && rounds < NOIO_MAX_ROUNDS) {
        struct noio_batch b = noio_batch(&w, &rounds);
        total += b.ticks;
        uint32_t i = n++;
        /* insertion by completed/ticks, compared as cross products (no division) */
        while (i > 0 && batches[i - 1].completed * b.ticks > b.completed * batches[i - 1].ticks) {
            batches[i] = batches[i - 1];
            i--;
        }
        batches[i] = b;
    }
    struct noio_batch m = batches[n - 1];
    set_figure(f, m.completed, m.bytes, m.ticks);
}

static int workload(const char *name, const struct disk_sweep *w)
{
    struct figure io, noio;
    int rc = measure(*w, &io);
    if (rc)
        return rc;
    measure_noio(*w, &noio);
    uint64_t milli = noio.iops ? io.iops * 1000 / noio.iops : 0;
    dbg_printf(WHO ": %s iops=%lu mibps=%lu.%02lu noio_iops=%lu noio_mibps=%lu.%02lu "
               "ratio=%lu.%03lu\n",
               name, io.iops, io.centi_mibps / 100, io.centi_mibps % 100, noio.iops,
               noio.centi_mibps / 100, noio.centi_mibps % 100, milli / 1000, milli % 1000);
    return 0;
}

int main(void)
{
    static struct disk_session x;
    uint32_t pages = SEQ_DEPTH * STORVSC_MAX_TRANSFER / HV_PAGE_SIZE;
    uint8_t *buffers = disk_session_start(&x, RING_BYTES, pages, STORVSC_MAX_TRANSFER / 512, WHO);
    if (!buffers)
        return 3;
    struct disk *d = &x.d;
    uint32_t max = x.s.max_transfer;
    uint32_t seq_blocks = max / d->block_bytes;
    uint32_t random_blocks = RANDOM_BYTES / d->block_bytes;
    uint64_t seq_bytes = d->blocks * d->block_bytes < MAX_SEQ_BYTES ? d->blocks * d->block_bytes
                                                                  : MAX_SEQ_BYTES;
    struct disk_sweep seq = {.d = d, .write = true, .depth = SEQ_DEPTH, .chunk_blocks = seq_blocks,
                             .count = seq_bytes / max, .buffers = buffers};
    char name[48];
    fmt_snprintf(name, sizeof(name), "seqwrite-%uk-qd%u", max / 1024, SEQ_DEPTH);
    int rc = workload(name, &seq);
    seq.write = false;
    fmt_snprintf(name, sizeof(name), "seqread-%uk-qd%u", max / 1024, SEQ_DEPTH);
    if (rc == 0)
        rc = workload(name, &seq);
    struct disk_sweep rnd = {.d = d, .depth = RANDOM_DEPTH, .chunk_blocks = random_blocks,
                             .count = RANDOM_COUNT, .buffers = buffers, .lba_of = random_lba};
    if (rc == 0)
        rc = workload("randread-4k-qd32", &rnd);
    disk_session_end(&x);
    return rc;
}
