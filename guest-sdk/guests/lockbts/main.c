/* lockbts - a hostile guest for the emulator-containment tests. It executes F0 0F AB C8
 * (lock bts eax, ecx): a LOCK prefix on a register-operand BTS, #UD on hardware, which makes
 * libunicorn's code generator call abort() ("tcg fatal error", 2.0.1 and 2.1.4). The hypervisor must
 * fail this partition alone; nothing after the instruction is expected to run. */
#include <parvis/parvis.h>

int main(void)
{
    dbg_printf("lockbts: executing lock bts eax, ecx\n");
    __asm__ volatile(".byte 0xF0, 0x0F, 0xAB, 0xC8" ::: "rax", "cc", "memory");
    dbg_printf("lockbts: still running after the instruction\n");
    return 1;
}
