/* debugflood - a hostile guest that floods the debug channel: HvCallPostDebugData
 * with 4088 bytes and never a newline, in a loop, forever. At start it prints one
 * line and posts the GPA of its counters to the root (payload {u64 gpa}, as the
 * counter guest does): u64 posts (calls made) then u64 accepted (calls that
 * returned success; the others were refused, HV_STATUS_INSUFFICIENT_BUFFERS once
 * its debug output budget is spent). The root reads them with HvCallReadGpa.
 * Used by DebugFloodTest and, beside well-behaved VMs, by noisy-neighbour tests. */
#include <parvis/parvis.h>

#define COUNTERS_MESSAGE_TYPE 1u

static volatile uint64_t counters[2]; /* posts, accepted */

int main(void)
{
    const struct parvis_boot_info *boot = parvis_boot();
    uint64_t gpa = (uint64_t)(uintptr_t)counters;
    dbg_printf("debugflood: flooding the debug channel, counters at GPA 0x%lx\n", gpa);
    hv_post_message(boot->root_message_connection_id, COUNTERS_MESSAGE_TYPE, &gpa, sizeof(gpa));

    struct hv_input_post_debug_data *in = hv_input_page();
    memset(in->data, 'A', sizeof(in->data));
    in->count = sizeof(in->data);
    in->options = 0;
    for (;;) {
        uint16_t status = hv_status(hv_hypercall(HVCALL_POST_DEBUG_DATA, (uintptr_t)in,
                                                 (uintptr_t)hv_output_page()));
        counters[0] = counters[0] + 1;
        if (status == HV_STATUS_SUCCESS)
            counters[1] = counters[1] + 1;
    }
    return 0;
}
