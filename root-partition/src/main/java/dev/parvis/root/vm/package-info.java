/**
 * VM management in the root partition: one {@link dev.parvis.root.vm.VmWorker} per virtual machine
 * drives the {@link dev.parvis.root.vm.VmState} lifecycle (Hyper-V's Msvm_ComputerSystem states, see
 * docs/vm-management.md and the management model reference §3.2-3.7), save/restore, events and metrics.
 */
package dev.parvis.root.vm;
