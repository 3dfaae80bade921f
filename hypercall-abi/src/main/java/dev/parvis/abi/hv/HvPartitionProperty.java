package dev.parvis.abi.hv;

/** Property codes of HvCallGet/SetPartitionProperty, reference section 3.2. */
public final class HvPartitionProperty {
    public static final int PRIVILEGE_FLAGS = 0x0001_0000;
    public static final int SYNTHETIC_PROC_FEATURES = 0x0001_0001;
    public static final int SUSPEND = 0x0002_0000;
    /** Guaranteed CPU time, in 1/1000 of a percent of one logical processor (0..100000). */
    public static final int CPU_RESERVE = 0x0002_0001;
    /** CPU ceiling, in 1/1000 of a percent of one logical processor; 0 or 100000 = none. */
    public static final int CPU_CAP = 0x0002_0002;
    /** Relative share of contended CPU time (1..10000, default 100). */
    public static final int CPU_WEIGHT = 0x0002_0003;
    public static final int INTEGRATED_SCHEDULER_ENABLED = 0x0002_0005;
    /** 1 freezes the partition's reference time, 0 thaws it. */
    public static final int TIME_FREEZE = 0x0003_0003;
    public static final int APIC_FREQUENCY = 0x0003_0004;
    public static final int REFERENCE_TIME = 0x0003_0005;
    public static final int GPA_PAGE_ACCESS_TRACKING = 0x0005_0005;
    public static final int UNIMPLEMENTED_MSR_ACTION = 0x0005_0017;
    public static final int ISOLATION_TYPE = 0x0005_001C;
    public static final int PROCESSOR_VENDOR = 0x0006_0000;
    public static final int PROCESSOR_XSAVE_FEATURES = 0x0006_0002;
    public static final int XSAVE_STATES = 0x0006_0007;
    public static final int MAX_XSAVE_DATA_SIZE = 0x0006_0008;
    public static final int PROCESSOR_CLOCK_FREQUENCY = 0x0006_0009;
    public static final int PROCESSOR_FEATURES0 = 0x0006_000A;
    public static final int PROCESSOR_FEATURES1 = 0x0006_000B;
    public static final int GUEST_OS_ID = 0x0007_0000;
    public static final int VMM_CAPABILITIES = 0x0009_0007;

    /** PROCESSOR_VENDOR values. */
    public static final int VENDOR_AMD = 0;
    public static final int VENDOR_INTEL = 1;
    public static final int VENDOR_HYGON = 2;
    public static final int VENDOR_ARM = 0x10;

    private HvPartitionProperty() {
    }
}
