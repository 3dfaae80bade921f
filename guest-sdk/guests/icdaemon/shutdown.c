/* shutdown.c - the shutdown service: a power-off (or a restart, served as a
 * power-off) is answered S_OK and ends the main loop; hibernate is refused
 * with E_FAIL and the daemon keeps running. */
#include "icdaemon.h"

static bool requested;

bool shutdown_requested(void) { return requested; }

uint32_t shutdown_handle(struct ic_message *m)
{
    struct ic_shutdown *s = ic_body(m, 3 * sizeof(uint32_t)); /* reason, timeout, flags */
    if (s->flags & IC_SHUTDOWN_FLAG_HIBERNATE) {
        dbg_printf("icdaemon: shutdown: hibernate (flags 0x%x) not supported\n", s->flags);
        return IC_E_FAIL;
    }
    dbg_printf("icdaemon: shutdown: %s%s requested, reason 0x%x, timeout %u s\n",
               (s->flags & IC_SHUTDOWN_FLAG_RESTART) ? "restart (as power off)" : "power off",
               (s->flags & IC_SHUTDOWN_FLAG_FORCE) ? " (forced)" : "", s->reason_code,
               s->timeout_seconds);
    requested = true;
    return IC_S_OK;
}
