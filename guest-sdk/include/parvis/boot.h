/*
 * parvis/boot.h - the runtime entry contract (see the README's "Boot protocol").
 *
 * start.S calls parvis_runtime_init(RDI) and then main(); when main returns the
 * runtime reports the exit code on the debug channel and powers the partition off.
 */
#ifndef PARVIS_SDK_BOOT_H
#define PARVIS_SDK_BOOT_H

#include <stdint.h>
#include <parvis/hvabi.h>

/* The validated boot information page (read-only, GPA from RDI at entry). */
const struct parvis_boot_info *parvis_boot(void);

/* Ends the partition: PARVIS_POWER_OFF_VALUE to PARVIS_POWER_OFF_PORT through the hypercall page, then halts forever. */
__attribute__((noreturn)) void parvis_power_off(void);

/* Called from start.S only. */
void parvis_runtime_init(uint64_t boot_info_gpa);
__attribute__((noreturn)) void parvis_runtime_exit(int code);

/* The guest program's entry point, called after parvis_runtime_init(). */
int main(void);

#endif
