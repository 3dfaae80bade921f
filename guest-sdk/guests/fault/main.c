/* fault - stores to the first GPA past its RAM, which is mapped nowhere: the
 * root gets an unmapped-GPA intercept and the partition ends failed, never
 * powered off. `./parvis run-guest fault` exits with the "guest failed" code.
 * Used by the test of run-guest's exit codes. */
#include <parvis/parvis.h>

int main(void)
{
    const struct parvis_boot_info *boot = parvis_boot();
    volatile uint64_t *outside = (volatile uint64_t *)(uintptr_t)boot->ram_size;
    dbg_printf("fault: storing to GPA 0x%lx, past the end of RAM\n", (unsigned long)boot->ram_size);
    *outside = 0xFA17;
    dbg_printf("fault: the store returned (it must not)\n");
    return 0;
}
