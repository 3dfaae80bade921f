/* timesync.c - the time synchronization service and the guest clock it sets:
 * reference time (TIME_REF_COUNT) plus an offset, in 100 ns units since 1601.
 * A SYNC sets the clock; a SAMPLE corrects it only beyond CLOCK_TOLERANCE. */
#include "icdaemon.h"

#define CLOCK_TOLERANCE_TICKS (1 * TICKS_PER_MS)

static uint64_t clock_offset; /* modular: clock = TIME_REF_COUNT + clock_offset */

uint64_t guest_clock(uint64_t now_ref) { return now_ref + clock_offset; }

void guest_clock_skew(uint64_t delta) { clock_offset += delta; }

uint64_t unix_seconds(uint64_t clock)
{
    uint64_t epoch = (uint64_t)IC_WINDOWS_EPOCH_OFFSET;
    return clock >= epoch ? (clock - epoch) / 10000000ull : 0;
}

uint32_t timesync_handle(const struct ic_channel *ic, struct ic_message *m)
{
    uint16_t major = ic->negotiated ? ic->version.major : m->hdr->message_major;
    uint64_t now = vmbus_now();
    uint64_t host_now;
    uint8_t flags;
    if (major >= 4) {
        struct ic_timesync *t = ic_body(m, sizeof(struct ic_timesync));
        host_now = t->parent_time + (now - t->vm_reference_time);
        flags = t->flags;
    } else {
        /* 3.0 and older: parenttime @0, childtime @8, roundtriptime @16, flags @24. */
        uint8_t *b = ic_body(m, 25);
        memcpy(&host_now, b, sizeof(host_now));
        flags = b[24];
    }
    if (flags & IC_TIMESYNC_SYNC) {
        clock_offset = host_now - now;
        dbg_printf("icdaemon: timesync: clock set to %lu (unix %lu s)\n", host_now,
                   unix_seconds(host_now));
    } else if (flags & IC_TIMESYNC_SAMPLE) {
        int64_t error = (int64_t)(guest_clock(now) - host_now);
        if (error > (int64_t)CLOCK_TOLERANCE_TICKS || error < -(int64_t)CLOCK_TOLERANCE_TICKS) {
            clock_offset = host_now - now;
            dbg_printf("icdaemon: timesync: sample corrected the clock by %ld x 100 ns\n",
                       (long)-error);
        }
    }
    return IC_S_OK;
}
