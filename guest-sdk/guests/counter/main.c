/* counter - the CPU-busy guest. At start it posts the guest-physical address
 * of its counter to the root (payload {u64 gpa} on the boot root message
 * connection), then increments that u64 in a tight loop forever. The root reads
 * the counter with HvCallReadGpa; linear = physical, so &counter is its GPA.
 * Used by the VM management tests (pause freezes it, save/restore continues
 * it) and by scheduler tests as a guest that never yields. */
#include <parvis/parvis.h>

#define COUNTER_ADDRESS_MESSAGE_TYPE 1u

static volatile uint64_t counter;

int main(void)
{
    const struct parvis_boot_info *boot = parvis_boot();
    uint64_t gpa = (uint64_t)(uintptr_t)&counter;
    uint16_t status = hv_post_message(boot->root_message_connection_id, COUNTER_ADDRESS_MESSAGE_TYPE,
                                      &gpa, sizeof(gpa));
    dbg_printf("counter: counter at GPA 0x%lx (posted to the root: status 0x%x), counting\n", gpa, status);
    for (;;)
        counter = counter + 1;
    return 0;
}
