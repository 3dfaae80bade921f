package dev.parvis.hv.backend;

/**
 * What a processor backend can or cannot do, for the kernel and the root to ask instead of asking
 * which backend they have (a closed, host-only set).
 */
public enum BackendCapability {
    /** Every CPUID the guest executes reaches {@link VpIntercepts#cpuid}, so it could be intercepted (not on KVM: its table is fixed up front). */
    CPUID_INTERCEPT,
    /** RDMSR and WRMSR of the synthetic MSRs reach the kernel (not on unicorn, whose MSR accesses cannot be hooked). */
    MSR_INTERCEPT,
    /** A partition's VPs may run at the same time on different logical processors: guest atomics are atomic between them. */
    PARALLEL_VPS
}
