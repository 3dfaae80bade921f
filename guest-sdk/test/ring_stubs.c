/* ring_stubs.c - what lib/vmbus_ring.c calls beyond the ring, for the host-native ring edge test:
 * signals are counted, event flags come from a test-controlled value, waits give up at once. */
#include <stdbool.h>
#include <stdint.h>
#include "../lib/vmbus_internal.h"

uint64_t stub_signals;
bool stub_event_pending;
/* A word the wait stub samples (the send ring's pending_send_size while the writer waits). */
volatile uint32_t *stub_watch;
uint32_t stub_watched;

uint16_t hv_signal_event(uint32_t connection_id, uint16_t flag)
{
    (void)connection_id;
    (void)flag;
    stub_signals++;
    return 0;
}

bool synic_test_and_clear_event(uint32_t sint, uint32_t flag)
{
    (void)sint;
    (void)flag;
    bool was = stub_event_pending;
    stub_event_pending = false;
    return was;
}

void vmbus_wait_start(struct vmbus_wait *w, uint64_t ticks)
{
    w->ticks = ticks;
    w->end = 0;
    w->spins_left = 1;
}

bool vmbus_wait_idle(struct vmbus_wait *w)
{
    if (stub_watch)
        stub_watched = *stub_watch;
    return --w->spins_left != 0; /* one look, then the bounded wait has passed */
}
