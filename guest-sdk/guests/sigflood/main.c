/* sigflood - signals its open echo channel in a loop (HvCallSignalEvent on
 * the offer's connection id, no packet written), for the root's isolation
 * tests. Opens the echo channel and checks one echo; then, in rounds of
 * SIGNALS signals, checks one echo with a short bound after each round.
 *
 * Runs until the root sends any command (boot->root_message_sint), then
 * replies {u32 rounds, u32 signals_ok, u32 signal_failures, u32 echo_before,
 * u32 echo_after} (counts saturate; echo_after: the last round's check) and
 * returns 0. A host that budgets signals closes this guest's channel with a
 * reason; the guest only counts. */
#include <parvis/parvis.h>
#include <parvis/rootcmd.h>
#include <parvis/vmbus.h>

#define TICKS_PER_MS 10000ull
#define WAIT_TICKS (2000 * TICKS_PER_MS)
#define SHORT_TICKS (300 * TICKS_PER_MS)
#define RING_BYTES 4096u
#define SIGNALS 20000u

static struct vmbus_connection conn;
static struct vmbus_offer echo;
static struct vmbus_channel ch;
static struct {
    uint32_t rounds, signals_ok, signal_failures, echo_before, echo_after;
} r;

int main(void)
{
    if (!root_commands_enable())
        return 2;
    conn.wait_ticks = WAIT_TICKS;
    int rc = vmbus_open_echo(&conn, &echo, &ch, RING_BYTES);
    r.echo_before = rc == 0 && vmbus_echo_check(&ch, 1, 64) == 0;
    dbg_printf("sigflood: echo channel: status 0x%x, echo %s; signalling\n", (unsigned)rc,
               r.echo_before ? "ok" : "broken");
    conn.wait_ticks = SHORT_TICKS;
    uint32_t command;
    while (!root_command_poll(&command)) {
        for (uint32_t i = 0; i < SIGNALS; i++) {
            uint32_t *counter = hv_signal_event(echo.connection_id, 0) == HV_STATUS_SUCCESS
                                    ? &r.signals_ok
                                    : &r.signal_failures;
            *counter += *counter != 0xFFFFFFFFu;
        }
        r.echo_after = ch.open && vmbus_echo_check(&ch, 2 + r.rounds, 64) == 0;
        if (r.rounds++ % 20 == 0)
            dbg_printf("sigflood: round %u: %u signals, %u failed, echo %s\n", r.rounds, r.signals_ok,
                       r.signal_failures, r.echo_after ? "ok" : "broken");
    }
    dbg_printf("sigflood: stopped after %u rounds\n", r.rounds);
    root_reply(&r, sizeof(r));
    return 0;
}
