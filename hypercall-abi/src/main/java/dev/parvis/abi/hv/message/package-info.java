/**
 * Payloads of hypervisor-generated HV_MESSAGEs: the x64 intercept header and the memory, I/O port,
 * MSR, CPUID and unrecoverable-exception intercepts (reference section 5.2).
 */
package dev.parvis.abi.hv.message;
