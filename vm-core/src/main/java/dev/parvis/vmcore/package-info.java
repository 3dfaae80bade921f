/**
 * The narrow interfaces the root partition's stack needs from the hypervisor: the root's hypercall
 * gateway, its own physical memory, its SynIC inbox and the child debug channel
 * (ARCHITECTURE.md section 2).
 */
package dev.parvis.vmcore;
