/* vmbus-steady - a steady VMBus echo stream, the well-behaved neighbour in
 * the root's isolation and noisy-neighbour tests. Opens the echo channel and
 * round-trips packets of 64..1024 bytes: transaction id = sequence number,
 * payload derived from it, every word checked (vmbus_echo_check), every wait
 * bounded (2 s).
 *
 * Root commands (u32 on boot->root_message_sint): 1 report, 0 stop. Reply to
 * both: {u64 echoes, u64 mismatches, u64 failures, u64 ref_time_100ns}
 * (mismatches: echoes that came back wrong; failures: sends or receives that
 * failed or timed out). On stop it closes the channel, unloads and returns 0
 * iff there was no mismatch and no failure. */
#include <parvis/parvis.h>
#include <parvis/rootcmd.h>
#include <parvis/vmbus.h>

#define TICKS_PER_MS 10000ull
#define WAIT_TICKS (2000 * TICKS_PER_MS)
#define RING_BYTES (16u * 1024u)
#define CMD_STOP 0u

struct report {
    uint64_t echoes;
    uint64_t mismatches;
    uint64_t failures;
    uint64_t ref_time;
};

int main(void)
{
    static struct vmbus_connection conn;
    static struct vmbus_offer echo;
    static struct vmbus_channel ch;
    if (!root_commands_enable())
        return 2;
    conn.wait_ticks = WAIT_TICKS;
    int rc = vmbus_open_echo(&conn, &echo, &ch, RING_BYTES);
    dbg_printf("vmbus-steady: echo channel relid %u: status 0x%x\n", echo.child_relid, (unsigned)rc);
    if (rc)
        return 2;
    struct report r = {0};
    for (uint64_t seq = 1;; seq++) {
        uint32_t command;
        if (root_command_poll(&command)) {
            r.ref_time = vmbus_now();
            root_reply(&r, sizeof(r));
            if (command == CMD_STOP)
                break;
        }
        rc = vmbus_echo_check(&ch, seq, 64u + (uint32_t)(seq % 121u) * 8u);
        if (rc == 0)
            r.echoes++;
        else if (rc == VMBUS_ERR_INVALID)
            r.mismatches++;
        else if (r.failures++ < 10)
            dbg_printf("vmbus-steady: echo %lu failed: 0x%x\n", seq, (unsigned)rc);
    }
    dbg_printf("vmbus-steady: %lu echoes, %lu mismatches, %lu failures\n", r.echoes, r.mismatches,
               r.failures);
    vmbus_channel_close(&ch);
    vmbus_disconnect(&conn);
    return r.mismatches == 0 && r.failures == 0 ? 0 : 1;
}
