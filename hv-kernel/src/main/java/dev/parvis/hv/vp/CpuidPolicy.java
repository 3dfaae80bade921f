package dev.parvis.hv.vp;

import dev.parvis.abi.hv.HvCpuid;
import dev.parvis.hv.backend.BackendCapability;
import dev.parvis.hv.backend.CpuidResult;
import dev.parvis.hv.backend.ProcessorBackend;

/**
 * The processor a child sees through CPUID: a plain 64-bit Intel-compatible core (VMCALL is the
 * hypercall instruction) with the hypervisor-present bit, and the Hyper-V identification leaves
 * 0x40000000-0x40000005 ("Microsoft Hv", "Hv#1", version, privileges and features,
 * recommendations, limits).
 */
public final class CpuidPolicy {
    private static final int MAX_HV_LEAF = 0x40000005;
    /** "GenuineIntel" in EBX, EDX, ECX order. */
    private static final CpuidResult VENDOR = new CpuidResult(1, 0x756E6547, 0x6C65746E, 0x49656E69);
    /** FPU, TSC, CX8, CMOV, FXSR, SSE, SSE2 (EDX); SSE3, CX16 (ECX) plus hypervisor present. */
    private static final int LEAF1_EDX = 1 | (1 << 4) | (1 << 8) | (1 << 15) | (1 << 24) | (1 << 25) | (1 << 26);
    private static final int LEAF1_ECX = 1 | (1 << 13) | HvCpuid.CPUID1_ECX_HYPERVISOR_PRESENT;
    /** Family 6, model 0x55: an ordinary server core, so guests take no exotic paths. */
    private static final int LEAF1_EAX = (6 << 8) | (5 << 4) | (5 << 16);
    /** Build 1, version 0.1 of Parvis. */
    private static final CpuidResult VERSION = new CpuidResult(1, 0x0000_0001, 0, 0);
    /** Recommendations: relaxed timing (bit 5). Long-spin-wait notification after 0x1000 spins. */
    private static final CpuidResult RECOMMENDATIONS = new CpuidResult(1 << 5, 0x1000, 36, 0);

    /** Privileges 0-15: access to the synthetic MSRs (TLFS: AccessVpRunTimeReg .. AccessTscInvariantControls). */
    private static final long MSR_ACCESS_PRIVILEGES = 0xFFFF;

    private final long privileges;
    private final int maxVps;
    private final boolean syntheticMsrs;

    /**
     * {@code syntheticMsrs}: whether RDMSR/WRMSR of the synthetic MSRs reach the kernel on this
     * backend (BackendCapability.MSR_INTERCEPT). Where they do not (unicorn), leaf 0x40000003 reports
     * none of the MSR access privileges, so a guest that reads it never executes one.
     */
    public CpuidPolicy(long privileges, int maxVps, boolean syntheticMsrs) {
        this.privileges = privileges;
        this.maxVps = maxVps;
        this.syntheticMsrs = syntheticMsrs;
    }

    /** The policy for a partition with {@code privileges} on {@code backend}. */
    public static CpuidPolicy on(ProcessorBackend backend, long privileges, int maxVps) {
        return new CpuidPolicy(privileges, maxVps, backend.capabilities().contains(BackendCapability.MSR_INTERCEPT));
    }

    public CpuidResult leaf(int leaf, int subleaf, int vpIndex) {
        return switch (leaf) {
            case 0 -> VENDOR;
            case 1 -> new CpuidResult(LEAF1_EAX, vpIndex << 24, LEAF1_ECX, LEAF1_EDX);
            case 0x8000_0000 -> new CpuidResult(0x8000_0008, 0, 0, 0);
            // LAHF (ECX 0); SYSCALL (EDX 11), NX (20), long mode (29).
            case 0x8000_0001 -> new CpuidResult(0, 0, 1, (1 << 11) | (1 << 20) | (1 << 29));
            // Address sizes: 39 physical bits (the guest's 64 GiB, with room above it for what a
            // backend adds, see KvmCpuid), 48 linear.
            case 0x8000_0008 -> new CpuidResult(39 | (48 << 8), 0, 0, 0);
            case HvCpuid.LEAF_VENDOR_AND_MAX -> new CpuidResult(MAX_HV_LEAF, HvCpuid.VENDOR_EBX, HvCpuid.VENDOR_ECX, HvCpuid.VENDOR_EDX);
            case HvCpuid.LEAF_INTERFACE -> new CpuidResult(HvCpuid.INTERFACE_HV1, 0, 0, 0);
            case HvCpuid.LEAF_VERSION -> VERSION;
            case HvCpuid.LEAF_FEATURES -> new CpuidResult((int) (syntheticMsrs ? privileges : privileges & ~MSR_ACCESS_PRIVILEGES),
                    (int) (privileges >>> 32), 0, HvCpuid.EDX_SINT_POLLING_MODE);
            case HvCpuid.LEAF_ENLIGHTENMENT_INFO -> RECOMMENDATIONS;
            case HvCpuid.LEAF_IMPLEMENTATION_LIMITS -> new CpuidResult(maxVps, Runtime.getRuntime().availableProcessors(), 0, 0);
            default -> new CpuidResult(0, 0, 0, 0);
        };
    }
}
