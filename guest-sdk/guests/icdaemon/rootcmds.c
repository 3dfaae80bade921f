/* rootcmds.c - the root's test commands to the daemon, on
 * boot->root_message_sint; payload {u32 command, u32 arg, u64 value}:
 *   1 stop answering heartbeats (a hung daemon)     2 answer them again
 *   3 skew the guest clock by `value` (signed, 100 ns units)
 *   4 report the guest clock: reply {u64 guest_clock_100ns_since_1601}
 *   5 report file slot `arg`: reply {u64 size, u8 sha256[32]}; size is
 *     0xFFFFFFFFFFFFFFFF (digest zero) when the slot holds no complete file
 * Replies go to boot->root_message_connection_id, message type 1. */
#include <parvis/rootcmd.h>
#include "icdaemon.h"

enum {
    CMD_HEARTBEAT_STOP = 1,
    CMD_HEARTBEAT_RESUME = 2,
    CMD_CLOCK_SKEW = 3,
    CMD_CLOCK_REPORT = 4,
    CMD_FILE_REPORT = 5,
};

struct root_command {
    uint32_t command;
    uint32_t arg;
    uint64_t value;
};

struct file_report {
    uint64_t size;
    uint8_t sha256[SHA256_DIGEST_BYTES];
};

static void reply(const void *p, uint32_t len)
{
    uint16_t st = root_reply(p, len);
    if (st != HV_STATUS_SUCCESS)
        dbg_printf("icdaemon: reply to the root failed: 0x%x\n", st);
}

static void report_file(uint32_t slot)
{
    struct file_report r;
    memset(&r, 0, sizeof(r));
    if (!fcopy_complete_file(slot, &r.size, r.sha256))
        r.size = ~0ull;
    reply(&r, sizeof(r));
    dbg_printf("icdaemon: root: file %u: size %lu\n", slot, r.size);
}

bool root_command_serve(uint32_t sint)
{
    struct hv_message hm;
    if (!synic_poll_message(sint, &hm))
        return false;
    struct root_command c;
    memset(&c, 0, sizeof(c));
    memcpy(&c, hm.payload, hm.payload_size < sizeof(c) ? hm.payload_size : sizeof(c));
    if (hm.payload_size < sizeof(uint32_t))
        return true;
    switch (c.command) {
    case CMD_HEARTBEAT_STOP:
        heartbeat_pause(true);
        dbg_puts("icdaemon: root: heartbeats paused");
        break;
    case CMD_HEARTBEAT_RESUME:
        heartbeat_pause(false);
        dbg_puts("icdaemon: root: heartbeats resumed");
        break;
    case CMD_CLOCK_SKEW:
        guest_clock_skew(c.value);
        dbg_printf("icdaemon: root: clock skewed by %ld x 100 ns\n", (long)(int64_t)c.value);
        break;
    case CMD_CLOCK_REPORT: {
        uint64_t clock = guest_clock(vmbus_now());
        reply(&clock, sizeof(clock));
        dbg_printf("icdaemon: root: clock %lu (unix %lu s)\n", clock, unix_seconds(clock));
        break;
    }
    case CMD_FILE_REPORT:
        report_file(c.arg);
        break;
    default:
        dbg_printf("icdaemon: root: unknown command %u\n", c.command);
        break;
    }
    return true;
}
