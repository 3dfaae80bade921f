package dev.parvis.abi.hv;

/** Hypervisor CPUID leaves and the bits Parvis reports, reference section 4.6. */
public final class HvCpuid {
    public static final int LEAF_VENDOR_AND_MAX = 0x4000_0000;
    public static final int LEAF_INTERFACE = 0x4000_0001;
    public static final int LEAF_VERSION = 0x4000_0002;
    public static final int LEAF_FEATURES = 0x4000_0003;
    public static final int LEAF_ENLIGHTENMENT_INFO = 0x4000_0004;
    public static final int LEAF_IMPLEMENTATION_LIMITS = 0x4000_0005;
    public static final int LEAF_HARDWARE_FEATURES = 0x4000_0006;
    /** Linux requires a maximum leaf of at least 0x40000005. */
    public static final int MAX_LEAF = LEAF_HARDWARE_FEATURES;

    /** "Microsoft Hv" in EBX, ECX, EDX of leaf 0x40000000. */
    public static final int VENDOR_EBX = 0x7263_694D;
    public static final int VENDOR_ECX = 0x666F_736F;
    public static final int VENDOR_EDX = 0x7648_2074;
    /** "Hv#1" in EAX of leaf 0x40000001. */
    public static final int INTERFACE_HV1 = 0x3123_7648;

    public static final int CPUID1_ECX_HYPERVISOR_PRESENT = 1 << 31;

    // Leaf 0x40000003 EDX.
    public static final int EDX_GUEST_DEBUGGING = 1 << 1;
    public static final int EDX_XMM_FAST_HYPERCALL_INPUT = 1 << 4;
    public static final int EDX_GUEST_IDLE = 1 << 5;
    public static final int EDX_GUEST_CRASH_MSRS = 1 << 10;
    public static final int EDX_FAST_HYPERCALL_OUTPUT = 1 << 15;
    public static final int EDX_SINT_POLLING_MODE = 1 << 17;
    public static final int EDX_HYPERCALL_MSR_LOCK = 1 << 18;
    public static final int EDX_DIRECT_SYNTHETIC_TIMERS = 1 << 19;

    // Leaf 0x40000004 EAX recommendations.
    public static final int RECOMMEND_RELAXED_TIMING = 1 << 5;
    public static final int RECOMMEND_DEPRECATE_AUTO_EOI = 1 << 9;
    /** Leaf 0x40000004 EBX: never notify long spin waits. */
    public static final int SPIN_WAIT_NEVER_NOTIFY = 0xFFFF_FFFF;

    private HvCpuid() {
    }
}
