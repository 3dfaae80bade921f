/* icdaemon.h - what the icdaemon's services share: one file per integration
 * service (kvp.c, fcopy.c, timesync.c, heartbeat.c, shutdown.c), the root's
 * test commands (rootcmds.c) and the channel loop (main.c). */
#ifndef ICDAEMON_H
#define ICDAEMON_H

#include <parvis/parvis.h>
#include <parvis/vmbus.h>
#include <parvis/ic.h>

#define TICKS_PER_MS 10000ull

/* ---- heartbeat.c ---- */
/* Returns false when the request must go unanswered (heartbeats paused). */
bool heartbeat_handle(struct ic_message *m, uint32_t *status);
/* A hung daemon on demand: paused heartbeats are left unanswered. */
void heartbeat_pause(bool paused);

/* ---- shutdown.c ---- */
uint32_t shutdown_handle(struct ic_message *m);
/* True once a power-off was accepted; the main loop then closes and returns. */
bool shutdown_requested(void);

/* ---- timesync.c: the guest clock, 100 ns units since 1601 ---- */
uint32_t timesync_handle(const struct ic_channel *ic, struct ic_message *m);
/* The guest clock at reference time `now_ref` (TIME_REF_COUNT units). */
uint64_t guest_clock(uint64_t now_ref);
/* Moves the guest clock by `delta` (modular, so a negative skew wraps). */
void guest_clock_skew(uint64_t delta);
/* Seconds since 1970 of a 1601-based clock, for log lines. */
uint64_t unix_seconds(uint64_t clock);

/* ---- kvp.c: one table per pool; items in the wire layout ---- */
void kvp_init(void);
uint32_t kvp_handle(struct ic_message *m);
/* Sets key (units UTF-16 units, no NUL) = value. Returns an IC status. */
uint32_t kvp_set(uint32_t pool, const uint8_t *key, uint32_t units, uint32_t type,
                 const uint8_t *value, uint32_t value_size);
uint32_t kvp_delete(uint32_t pool, const uint8_t *key, uint32_t units);

/* ---- fcopy.c: up to FC_MAX_FILES files in one RAM store ---- */
#define FC_MAX_FILES 4
uint32_t fcopy_handle(struct ic_message *m);
/* Size and digest of the complete file in `slot`; false when there is none. */
bool fcopy_complete_file(uint32_t slot, uint64_t *size, uint8_t sha256[SHA256_DIGEST_BYTES]);

/* ---- rootcmds.c: the root's test commands ---- */
/* Serves one pending command on `sint`; false when there was none. */
bool root_command_serve(uint32_t sint);

#endif
