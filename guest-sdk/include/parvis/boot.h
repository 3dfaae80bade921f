/*
 * parvis/boot.h - the runtime entry contract (see the README's "Boot protocol").
 *
 * start.S calls parvis_runtime_init(RDI) and then main(); when main returns the
 * runtime prints the exit code on the debug channel and powers the partition off
 * reporting it to the root (parvis_exit).
 */
#ifndef PARVIS_SDK_BOOT_H
#define PARVIS_SDK_BOOT_H

#include <stdint.h>
#include <parvis/hvabi.h>

/* The validated boot information page (read-only, GPA from RDI at entry). */
const struct parvis_boot_info *parvis_boot(void);

/* The status parvis_runtime_init reports when the boot information cannot be trusted. */
#define PARVIS_EXIT_BOOT_FAILURE 119

/*
 * Ends the partition reporting `status` to the root: the power-off write of
 * PARVIS_POWER_OFF_VALUE to PARVIS_POWER_OFF_PORT through the hypercall page's OUTW entry with
 * RSI = PARVIS_EXIT_STATUS_MAGIC and EDI = status (README, "Boot protocol"), then hv_halt
 * forever. `./parvis run-guest` exits with it.
 */
__attribute__((noreturn)) void parvis_exit(int status);

/* parvis_exit(0). */
__attribute__((noreturn)) void parvis_power_off(void);

/* Called from start.S only. */
void parvis_runtime_init(uint64_t boot_info_gpa);
__attribute__((noreturn)) void parvis_runtime_exit(int code);

/* The guest program's entry point, called after parvis_runtime_init(). */
int main(void);

#endif
