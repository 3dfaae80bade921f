/* drain - message queue test. After enabling the SynIC the guest posts
 * {u32 0} ("ready") and then leaves its message slot alone until the root sets
 * event flag 0 of root_message_sint (through an event port the root creates on
 * this partition). Then it drains messages {u32 seq, u32 last} until one has
 * last != 0 and replies {u32 count, u32 pending_seen, u32 seq[count]}, where
 * pending_seen counts messages whose slot carried the pending flag. */
#include <parvis/parvis.h>

#define REPLY_MESSAGE_TYPE 1u
#define MAX_SEQS 58u /* (240 - 8) / 4 */

struct drain_item {
    uint32_t seq;
    uint32_t last;
};

struct drain_report {
    uint32_t count;
    uint32_t pending_seen;
    uint32_t seqs[MAX_SEQS];
};

int main(void)
{
    const struct parvis_boot_info *boot = parvis_boot();
    uint32_t sint = boot->root_message_sint;
    uint16_t status = synic_enable(sint);
    dbg_printf("drain: SynIC on SINT %u (status 0x%x)\n", sint, status);
    if (status != HV_STATUS_SUCCESS)
        return 1;

    uint32_t ready = 0;
    status = hv_post_message(boot->root_message_connection_id, REPLY_MESSAGE_TYPE, &ready,
                             sizeof(ready));
    if (status != HV_STATUS_SUCCESS)
        return 2;
    dbg_puts("drain: ready, holding the slot until event flag 0");
    while (!synic_test_and_clear_event(sint, 0))
        hv_halt();

    struct drain_report report = {0, 0, {0}};
    struct drain_item item = {0, 0};
    while (!item.last) {
        struct hv_message m;
        synic_wait_message(sint, &m);
        if (m.payload_size < sizeof(item)) {
            dbg_printf("drain: ignoring a %u-byte message\n", m.payload_size);
            continue;
        }
        memcpy(&item, m.payload, sizeof(item));
        if (m.message_flags & HV_MESSAGE_FLAG_PENDING)
            report.pending_seen++;
        if (report.count < MAX_SEQS)
            report.seqs[report.count] = item.seq;
        report.count++;
    }
    dbg_printf("drain: drained %u messages, %u carried the pending flag\n", report.count,
               report.pending_seen);
    uint32_t kept = report.count < MAX_SEQS ? report.count : MAX_SEQS;
    status = hv_post_message(boot->root_message_connection_id, REPLY_MESSAGE_TYPE, &report,
                             8 + kept * sizeof(uint32_t));
    return status == HV_STATUS_SUCCESS ? 0 : 3;
}
