/*
 * parvis/disk.h - a block device over storvsc: find and size a LUN, sweep it
 * with many requests in flight, and the seeded pattern the disk guests write.
 *
 * The pattern: the 8-byte little-endian word at disk byte offset 8w is
 * disk_pattern_word(seed, w) (splitmix64 of seed + (w + 1) * golden ratio), so
 * any reader (a test in Java, qemu-img convert output) can recompute every byte
 * from the seed and the offset alone.
 */
#ifndef PARVIS_SDK_DISK_H
#define PARVIS_SDK_DISK_H

#include <stdbool.h>
#include <stdint.h>
#include <parvis/storvsc.h>

struct disk {
    struct storvsc *s;
    uint8_t target;
    uint8_t lun;
    uint64_t blocks;
    uint32_t block_bytes;
};

/* storvsc_find + storvsc_open (ring_bytes each way) + READ CAPACITY (16) of
 * target 0 / `lun` (a UNIT ATTENTION is answered by asking again, as the SCSI
 * layer does). Prints one line per step under `who`. 0 or the failure. */
int disk_open(struct vmbus_connection *c, struct storvsc *s, struct disk *d, uint8_t lun,
              uint32_t ring_bytes, const char *who);

/* What a disk guest holds: the VMBus connection, the channel and LUN 0. */
struct disk_session {
    struct vmbus_connection c;
    struct storvsc s;
    struct disk d;
};

/* disk_open of LUN 0 (c.wait_ticks as the caller set it), then buffer_pages
 * contiguous pages for request buffers. NULL, after printing why, when there is
 * no usable disk of at least min_blocks blocks or no memory. */
uint8_t *disk_session_start(struct disk_session *x, uint32_t ring_bytes, uint32_t buffer_pages,
                            uint64_t min_blocks, const char *who);
/* Closes the channel and unloads VMBus. */
void disk_session_end(struct disk_session *x);

/* One sweep: `count` requests of up to chunk_blocks blocks each, `depth` in
 * flight, completions in any order. */
struct disk_sweep;
/* Before a request is submitted (a write fills r->buf here); false stops the sweep. */
typedef bool (*disk_prepare_fn)(struct disk_sweep *w, struct storvsc_request *r, uint64_t lba,
                                uint32_t blocks);
/* After a request completed; false stops the sweep. */
typedef bool (*disk_done_fn)(struct disk_sweep *w, struct storvsc_request *r);
/* LBA of request i (NULL: first_lba + i * chunk_blocks, clipped to the disk). */
typedef uint64_t (*disk_lba_fn)(struct disk_sweep *w, uint64_t i);

struct disk_sweep {
    struct disk *d;
    bool write;
    bool null_io;   /* complete every request at once without sending it: the loop's ceiling */
    uint32_t depth; /* <= STORVSC_SLOTS */
    uint32_t chunk_blocks;
    uint64_t first_lba;
    uint64_t count;
    uint8_t *buffers; /* depth * chunk_blocks * block_bytes, page-aligned */
    disk_prepare_fn prepare;
    disk_done_fn done;
    disk_lba_fn lba_of;
    void *ctx;
    /* results */
    uint64_t submitted;
    uint64_t completed;
    uint64_t failed; /* completions without SRB_STATUS_SUCCESS */
    uint64_t bytes;
    int error; /* the channel failure that ended the sweep, 0 if none */
};

/* Runs the sweep to the end (or until a callback says stop, or the channel
 * fails). Returns w->error. */
int disk_sweep_run(struct disk_sweep *w);

uint64_t disk_pattern_word(uint64_t seed, uint64_t word_index);
/* A seed that differs from run to run (the TSC and the reference time mixed). */
uint64_t disk_pattern_seed(void);
/* Fills len bytes (a multiple of 8) as they belong at disk byte offset `at`. */
void disk_pattern_fill(void *buf, uint64_t at, uint32_t len, uint64_t seed);
/* Index of the first wrong byte of buf against the pattern at `at`, or -1. */
int64_t disk_pattern_check(const void *buf, uint64_t at, uint32_t len, uint64_t seed);

#endif
