/**
 * Hyper-V hypercall ABI as data: call codes, HV_STATUS, control/result words, register names,
 * privileges, CPUID, SynIC and HV_MESSAGE (reference sections 1-5).
 */
package dev.parvis.abi.hv;
