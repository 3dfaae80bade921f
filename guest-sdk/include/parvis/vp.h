/*
 * parvis/vp.h - starting the partition's other virtual processors.
 *
 * The boot information's vp_count says how many VPs the partition has; VP 0 runs
 * main(), the others wait until the guest starts them. vp_start() gives VP
 * `vp_index` a stack of its own and starts it with HvCallStartVirtualProcessor
 * (initial context: the boot protocol's processor state, RIP in the SDK's VP
 * entry); the VP then calls entry(vp_index, arg) and halts for good when entry
 * returns. Call vp_start() from VP 0 only (it uses VP 0's hypercall pages and
 * page allocator). Code on the other VPs may use memory, atomics, hv_halt() and
 * the hv_port_out*() calls; the SDK's slow hypercall helpers use VP 0's input and
 * output pages and are for VP 0 only.
 */
#ifndef PARVIS_SDK_VP_H
#define PARVIS_SDK_VP_H

#include <stdint.h>

typedef void (*vp_entry_fn)(uint32_t vp_index, void *arg);

/* Starts VP `vp_index`; returns an HV_STATUS_* (INSUFFICIENT_BUFFERS when no
 * page is left for its stack). */
uint16_t vp_start(uint32_t vp_index, vp_entry_fn entry, void *arg);

#endif
