package dev.parvis.abi.hv;

/**
 * Partition privilege mask bits, as reported in CPUID 0x40000003 EAX (bits 0-31) and EBX (bits
 * 32-63), reference section 4.6. A mask is a plain {@code long}; these are its bits.
 */
public final class HvPartitionPrivilege {
    public static final long ACCESS_VP_RUNTIME_REG = 1L << 0;
    public static final long ACCESS_PARTITION_REFERENCE_COUNTER = 1L << 1;
    public static final long ACCESS_SYNIC_REGS = 1L << 2;
    public static final long ACCESS_SYNTHETIC_TIMER_REGS = 1L << 3;
    public static final long ACCESS_INTR_CTRL_REGS = 1L << 4;
    public static final long ACCESS_HYPERCALL_MSRS = 1L << 5;
    public static final long ACCESS_VP_INDEX = 1L << 6;
    public static final long ACCESS_RESET_REG = 1L << 7;
    public static final long ACCESS_STATS_REG = 1L << 8;
    public static final long ACCESS_PARTITION_REFERENCE_TSC = 1L << 9;
    public static final long ACCESS_GUEST_IDLE_REG = 1L << 10;
    public static final long ACCESS_FREQUENCY_REGS = 1L << 11;
    public static final long ACCESS_DEBUG_REGS = 1L << 12;
    public static final long ACCESS_REENLIGHTENMENT_CONTROLS = 1L << 13;
    public static final long ACCESS_ROOT_SCHEDULER_REG = 1L << 14;
    public static final long ACCESS_TSC_INVARIANT_CONTROLS = 1L << 15;

    public static final long CREATE_PARTITIONS = 1L << 32;
    public static final long ACCESS_PARTITION_ID = 1L << 33;
    public static final long ACCESS_MEMORY_POOL = 1L << 34;
    public static final long ADJUST_MESSAGE_BUFFERS = 1L << 35;
    public static final long POST_MESSAGES = 1L << 36;
    public static final long SIGNAL_EVENTS = 1L << 37;
    public static final long CREATE_PORT = 1L << 38;
    public static final long CONNECT_PORT = 1L << 39;
    public static final long ACCESS_STATS = 1L << 40;
    public static final long DEBUGGING = 1L << 43;
    public static final long CPU_MANAGEMENT = 1L << 44;
    public static final long CONFIGURE_PROFILER = 1L << 45;
    public static final long ACCESS_VP_EXIT_TRACING = 1L << 46;
    public static final long ENABLE_EXTENDED_GVA_RANGES_FOR_FLUSH_VIRTUAL_ADDRESS_LIST = 1L << 47;
    public static final long ACCESS_VSM = 1L << 48;
    public static final long ACCESS_VP_REGISTERS = 1L << 49;
    public static final long FAST_HYPERCALL_OUTPUT = 1L << 51;
    public static final long ENABLE_EXTENDED_HYPERCALLS = 1L << 52;
    public static final long START_VIRTUAL_PROCESSOR = 1L << 53;
    public static final long ISOLATION = 1L << 54;

    /** What a child partition gets: the enlightenments a guest needs, messaging, debug I/O and starting its own VPs. */
    public static final long GUEST_DEFAULT = ACCESS_PARTITION_REFERENCE_COUNTER
            | ACCESS_SYNIC_REGS
            | ACCESS_SYNTHETIC_TIMER_REGS
            | ACCESS_HYPERCALL_MSRS
            | ACCESS_VP_INDEX
            | POST_MESSAGES
            | SIGNAL_EVENTS
            | START_VIRTUAL_PROCESSOR
            | DEBUGGING;

    /** The root additionally builds and manages partitions, memory, ports and VPs. */
    public static final long ROOT = GUEST_DEFAULT
            | CREATE_PARTITIONS
            | ACCESS_PARTITION_ID
            | ACCESS_MEMORY_POOL
            | CREATE_PORT
            | CONNECT_PORT
            | CPU_MANAGEMENT
            | ACCESS_VP_REGISTERS;

    private HvPartitionPrivilege() {
    }

    public static boolean has(long mask, long privilege) {
        return (mask & privilege) == privilege;
    }

    /** CPUID 0x40000003 EAX. */
    public static int cpuidEax(long mask) {
        return (int) mask;
    }

    /** CPUID 0x40000003 EBX. */
    public static int cpuidEbx(long mask) {
        return (int) (mask >>> 32);
    }
}
