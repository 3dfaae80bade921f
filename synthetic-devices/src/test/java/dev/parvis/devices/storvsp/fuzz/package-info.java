/**
 * The seeded fuzz test of storvsp's guest-facing input ({@link dev.parvis.devices.storvsp.fuzz.StorVspFuzzTest}):
 * a hostile storvsc guest, the model of what the host must answer (shared/reference/hyperv-abi-vmbus.md
 * sections 7.3 and 10, SPC-4, SBC-3), and the checks of guest memory and disk contents.
 */
package dev.parvis.devices.storvsp.fuzz;
