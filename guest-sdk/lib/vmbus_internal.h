/* vmbus_internal.h - shared by lib/vmbus.c and lib/vmbus_ring.c only. */
#ifndef PARVIS_SDK_LIB_VMBUS_INTERNAL_H
#define PARVIS_SDK_LIB_VMBUS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

/* One bounded (or unbounded, ticks == 0) wait. */
struct vmbus_wait {
    uint64_t ticks;     /* the bound, 0 = forever */
    uint64_t end;       /* reference time at which it expires */
    uint64_t spins_left; /* fallback bound when the reference time is unreadable */
};

void vmbus_wait_start(struct vmbus_wait *w, uint64_t ticks);
/* Nothing to do right now: hlt (unbounded) or yield once (bounded). Returns
 * false once the bound has passed. */
bool vmbus_wait_idle(struct vmbus_wait *w);

#endif
