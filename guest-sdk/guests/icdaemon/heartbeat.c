/* heartbeat.c - the heartbeat service: each request's sequence number comes
 * back one higher with the application state Healthy. The root can pause the
 * answers to stand in for a hung daemon. */
#include "icdaemon.h"

static bool paused;

void heartbeat_pause(bool p) { paused = p; }

bool heartbeat_handle(struct ic_message *m, uint32_t *status)
{
    if (paused)
        return false;
    struct ic_heartbeat *hb = ic_body(m, sizeof(uint64_t));
    hb->sequence_number += 1;
    if (m->body_len >= sizeof(uint64_t) + sizeof(uint32_t))
        hb->application_state = IC_HEARTBEAT_STATE_HEALTHY;
    *status = IC_S_OK;
    return true;
}
