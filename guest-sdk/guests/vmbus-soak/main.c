/* vmbus-soak - a busy VMBus guest that checks itself, for saves and restores at random instants.
 * In cycles, on pages of its own reused every cycle: a ring GPADL of 34 pages (a GPADL_HEADER and a
 * GPADL_BODY), OPENCHANNEL of the echo device, ECHOES checked round trips (transaction id = a
 * sequence number over the whole run, payload derived from it, every word compared), CLOSECHANNEL
 * and the GPADL's teardown. Every wait halts the VP (wait_ticks 0: hlt until SynIC work), so a save
 * often finds it halted. Every IDLE_EVERY cycles it idles, halted, until the root's tick: nothing
 * else can wake it then, so after the one wake-up a signal it already handled may leave pending,
 * every further wake-up without a root message is spurious (a VP restored as running although it
 * was saved halted shows up here).
 *
 * Root commands (u32 on boot->root_message_sint): 1 report, 2 tick (ends an idle), 0 stop. Reply to
 * 1 and 0: {u32 command, u32 0, u64 cycles, u64 echoes, u64 mismatches, u64 failures,
 * u64 spurious_wakeups, u64 idles}.
 * mismatches: an echo with the wrong transaction id, length or bytes (a lost, repeated or torn
 * packet); failures: an open, send or close that failed. On stop it unloads and returns 0 iff all
 * three error counts are 0. */
#include <parvis/parvis.h>
#include <parvis/rootcmd.h>
#include <parvis/vmbus.h>

#define RING_BYTES (64u * 1024u)
#define RING_PAGES (2u + 2u * RING_BYTES / 4096u)
#define ECHOES 24u
#define MAX_ECHO 512u
#define CMD_STOP 0u
#define CMD_TICK 2u
#define IDLE_EVERY 3u

struct report {
    uint32_t command;
    uint32_t reserved;
    uint64_t cycles;
    uint64_t echoes;
    uint64_t mismatches;
    uint64_t failures;
    uint64_t spurious;
    uint64_t idles;
};

static struct vmbus_connection conn;
static struct vmbus_offer echo;
static struct vmbus_channel ch;
static struct report r;
static uint64_t seq;
static uint64_t out[MAX_ECHO / 8], in[MAX_ECHO / 8];

static uint64_t word(uint64_t s, uint32_t k) { return s * 0x9e3779b97f4a7c15ull ^ (k + 1) * 0xbf58476d1ce4e5b9ull; }

/* The next packet, halting while there is none (section 7.5: unmask, re-check, then hlt). */
static int await_packet(struct vmbus_packet_info *info)
{
    for (;;) {
        int rc = vmbus_recv(&ch, info, in, sizeof(in));
        if (rc != VMBUS_ERR_EMPTY)
            return rc;
        ch.recv.control->interrupt_mask = 0;
        cpu_mb();
        if (vmbus_ring_bytes_to_read(&ch.recv) || synic_test_and_clear_event(VMBUS_MESSAGE_SINT, ch.relid))
            continue;
        hv_halt(); /* may return for a signal already handled: the wake-up it left pending */
    }
}

static void one_echo(void)
{
    uint64_t s = ++seq;
    uint32_t len = 64u + (uint32_t)(s % 57u) * 8u;
    for (uint32_t k = 0; k < len / 8; k++)
        out[k] = word(s, k);
    struct vmbus_packet_info info;
    if (vmbus_send(&ch, VMBUS_PACKET_TYPE_DATA_INBAND, 0, s, out, len) || await_packet(&info)) {
        r.failures++;
        return;
    }
    bool ok = info.transaction_id == s && info.payload_bytes == len;
    for (uint32_t k = 0; ok && k < len / 8; k++)
        ok = in[k] == word(s, k);
    if (ok) {
        r.echoes++;
    } else if (r.mismatches++ < 5) {
        dbg_printf("vmbus-soak: echo %lu came back as txid %lu, %u bytes\n", s, info.transaction_id,
                   info.payload_bytes);
    }
}

#define NO_COMMAND 0xFFFFFFFFu

/* One root command, answered unless it is a tick; NO_COMMAND when none is waiting. */
static uint32_t take_command(void)
{
    uint32_t command;
    if (!root_command_poll(&command))
        return NO_COMMAND;
    if (command != CMD_TICK) {
        r.command = command;
        root_reply(&r, sizeof(r));
    }
    return command;
}

/* Halted until the root's tick (or stop). The kernel leaves one wake-up pending after each real one
 * (so a wake cannot be lost between a check and hlt): one empty return after the idle starts or
 * after each root message is expected, any further one is spurious. */
static bool idle(void)
{
    uint32_t allowance = 1;
    r.idles++;
    for (;;) {
        uint32_t command = take_command();
        if (command == CMD_STOP)
            return false;
        if (command == CMD_TICK)
            return true;
        if (command != NO_COMMAND) {
            allowance = 1;
            continue;
        }
        hv_halt();
        if (synic_message_page()[parvis_boot()->root_message_sint].message_type != 0)
            continue;
        if (allowance)
            allowance--;
        else
            r.spurious++;
    }
}

int main(void)
{
    uint8_t *pages = page_alloc_contiguous(RING_PAGES);
    if (!root_commands_enable() || !pages)
        return 2;
    int rc = vmbus_connect_to_echo(&conn, &echo);
    dbg_printf("vmbus-soak: connect: 0x%x, echo relid %u\n", (unsigned)rc, echo.child_relid);
    if (rc)
        return 2;
    for (;;) {
        uint32_t command = take_command();
        if (command == CMD_STOP || (r.cycles % IDLE_EVERY == IDLE_EVERY - 1 && !idle()))
            break;
        rc = vmbus_channel_open_on(&conn, &echo, &ch, pages, RING_BYTES, RING_BYTES);
        if (rc) {
            if (r.failures++ < 5)
                dbg_printf("vmbus-soak: open failed: 0x%x\n", (unsigned)rc);
            continue;
        }
        for (uint32_t k = 0; k < ECHOES; k++)
            one_echo();
        if (vmbus_channel_close(&ch))
            r.failures++;
        if (r.cycles++ == 0)
            dbg_puts("vmbus-soak: first cycle done");
    }
    dbg_printf("vmbus-soak: %lu cycles, %lu echoes, %lu mismatches, %lu failures, %lu spurious wake-ups\n",
               r.cycles, r.echoes, r.mismatches, r.failures, r.spurious);
    vmbus_disconnect(&conn);
    return r.mismatches == 0 && r.failures == 0 && r.spurious == 0 ? 0 : 1;
}
