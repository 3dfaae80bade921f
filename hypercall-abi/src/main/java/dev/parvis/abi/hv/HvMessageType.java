package dev.parvis.abi.hv;

import java.util.Map;

/**
 * HV_MESSAGE_TYPE, the first word of an HV_MESSAGE (reference section 5.2). Types with bit 31 set
 * come from the hypervisor; guests and VMBus use small positive types (VMBus uses 1).
 * 0x80010005/0x80010006 carry the Linux/OpenVMM names that the reference lists first.
 */
public record HvMessageType(int raw) {
    public static final HvMessageType NONE = new HvMessageType(0x00000000);
    public static final HvMessageType VMBUS = new HvMessageType(0x00000001);
    public static final HvMessageType UNMAPPED_GPA = new HvMessageType(0x80000000);
    public static final HvMessageType GPA_INTERCEPT = new HvMessageType(0x80000001);
    public static final HvMessageType UNACCEPTED_GPA = new HvMessageType(0x80000003);
    public static final HvMessageType GPA_ATTRIBUTE_INTERCEPT = new HvMessageType(0x80000004);
    public static final HvMessageType ENABLE_PARTITION_VTL_INTERCEPT = new HvMessageType(0x80000005);
    public static final HvMessageType TIMER_EXPIRED = new HvMessageType(0x80000010);
    public static final HvMessageType INVALID_VP_REGISTER_VALUE = new HvMessageType(0x80000020);
    public static final HvMessageType UNRECOVERABLE_EXCEPTION = new HvMessageType(0x80000021);
    public static final HvMessageType UNSUPPORTED_FEATURE = new HvMessageType(0x80000022);
    public static final HvMessageType TLB_PAGE_SIZE_MISMATCH = new HvMessageType(0x80000023);
    public static final HvMessageType IOMMU_FAULT = new HvMessageType(0x80000024);
    public static final HvMessageType OPAQUE_INTERCEPT = new HvMessageType(0x8000003F);
    public static final HvMessageType EVENTLOG_BUFFER_COMPLETE = new HvMessageType(0x80000040);
    public static final HvMessageType HYPERCALL_INTERCEPT = new HvMessageType(0x80000050);
    public static final HvMessageType SYNIC_EVENT_INTERCEPT = new HvMessageType(0x80000060);
    public static final HvMessageType SYNIC_SINT_INTERCEPT = new HvMessageType(0x80000061);
    public static final HvMessageType SYNIC_SINT_DELIVERABLE = new HvMessageType(0x80000062);
    public static final HvMessageType ASYNC_CALL_COMPLETION = new HvMessageType(0x80000070);
    public static final HvMessageType SCHEDULER_VP_SIGNAL_BITSET = new HvMessageType(0x80000100);
    public static final HvMessageType SCHEDULER_VP_SIGNAL_PAIR = new HvMessageType(0x80000101);
    public static final HvMessageType X64_IO_PORT_INTERCEPT = new HvMessageType(0x80010000);
    public static final HvMessageType X64_MSR_INTERCEPT = new HvMessageType(0x80010001);
    public static final HvMessageType X64_CPUID_INTERCEPT = new HvMessageType(0x80010002);
    public static final HvMessageType EXCEPTION_INTERCEPT = new HvMessageType(0x80010003);
    public static final HvMessageType X64_APIC_EOI = new HvMessageType(0x80010004);
    public static final HvMessageType X64_LEGACY_FP_ERROR = new HvMessageType(0x80010005);
    public static final HvMessageType REGISTER_INTERCEPT = new HvMessageType(0x80010006);
    public static final HvMessageType X64_HALT = new HvMessageType(0x80010007);
    public static final HvMessageType X64_INTERRUPTION_DELIVERABLE = new HvMessageType(0x80010008);
    public static final HvMessageType X64_SIPI_INTERCEPT = new HvMessageType(0x80010009);
    public static final HvMessageType X64_RDTSC_INTERCEPT = new HvMessageType(0x8001000A);
    public static final HvMessageType X64_APIC_SMI_INTERCEPT = new HvMessageType(0x8001000B);
    public static final HvMessageType ARM64_RESET_INTERCEPT = new HvMessageType(0x8001000C);
    public static final HvMessageType X64_APIC_INIT_SIPI_INTERCEPT = new HvMessageType(0x8001000D);
    public static final HvMessageType X64_APIC_WRITE_INTERCEPT = new HvMessageType(0x8001000E);
    public static final HvMessageType X64_PROXY_INTERRUPT_INTERCEPT = new HvMessageType(0x8001000F);
    public static final HvMessageType X64_ISOLATION_CTRL_REG_INTERCEPT = new HvMessageType(0x80010010);
    public static final HvMessageType X64_SNP_GUEST_REQUEST_INTERCEPT = new HvMessageType(0x80010011);
    public static final HvMessageType X64_EXCEPTION_TRAP_INTERCEPT = new HvMessageType(0x80010012);
    public static final HvMessageType X64_SEV_VMGEXIT_INTERCEPT = new HvMessageType(0x80010013);
    /**
     * Parvis extension, hypervisor to root only: a partition was failed by the kernel (its execution
     * engine failed); payload {@code PartitionFailedMessage}. Chosen in a range the TLFS leaves unused.
     */
    public static final HvMessageType PARVIS_PARTITION_FAILED = new HvMessageType(0x8000_F000);

    private static final Map<Long, String> NAMES = NameTable.scan(HvMessageType.class);

    public static HvMessageType of(int raw) {
        return new HvMessageType(raw);
    }

    /** Bit 31: only the hypervisor may send messages of this type. */
    public static final int HYPERVISOR_MESSAGE_BIT = 0x8000_0000;

    public boolean isHypervisorMessage() {
        return (raw & HYPERVISOR_MESSAGE_BIT) != 0;
    }

    /** The constant's name, or the raw value in hex when this table does not know it. */
    public String name() {
        String name = NAMES.get((long) raw);
        return name != null ? name : "0x%08X".formatted(Integer.toUnsignedLong(raw));
    }

    public boolean isKnown() {
        return NAMES.containsKey((long) raw);
    }

    @Override
    public String toString() {
        return isKnown() ? name() : "HvMessageType(" + name() + ")";
    }
}
