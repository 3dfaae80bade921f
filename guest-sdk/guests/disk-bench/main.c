/* disk-bench - the guest's view of synthetic SCSI speed on LUN 0: sequential
 * writes and reads in the largest transfers the host allows, and 4 KiB random
 * reads with 32 in flight. Each loop runs twice: with its I/O, and with the I/O
 * removed (every request completes at once, nothing is sent), so the guest's
 * own ceiling shows beside the measured figure. That loop takes microseconds,
 * too short to time against a 100 ns clock and a host that may preempt the
 * guest, so it repeats until it has run for NOIO_MIN_TICKS and reports the
 * total: its figure then varies as little as the measured one.
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

/* The same loop with the I/O removed, repeated until it has run NOIO_MIN_TICKS. */
static void measure_noio(struct disk_sweep w, struct figure *f)
{
    uint64_t completed = 0, bytes = 0, ticks = 0;
    for (uint32_t round = 0; round < NOIO_MAX_ROUNDS && ticks < NOIO_MIN_TICKS; round++) {
        struct disk_sweep once = w;
        once.null_io = true;
        uint64_t t0 = vmbus_now();
        disk_sweep_run(&once);
        ticks += vmbus_now() - t0;
        completed += once.completed;
        bytes += once.bytes;
    }
    set_figure(f, completed, bytes, ticks);
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
