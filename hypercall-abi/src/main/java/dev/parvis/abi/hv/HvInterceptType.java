package dev.parvis.abi.hv;

/**
 * HvCallInstallIntercept intercept types and access masks, reference section 3.2. The parameters
 * word holds the I/O port (u16), the port range (base | end << 16), the CPUID leaf, the exception
 * vector or the MSR index, depending on the type.
 */
public final class HvInterceptType {
    public static final int X64_IO_PORT = 0x0;
    public static final int X64_MSR = 0x1;
    public static final int X64_CPUID = 0x2;
    public static final int EXCEPTION = 0x3;
    public static final int MMIO = 0x5;
    public static final int X64_GLOBAL_CPUID = 0x6;
    public static final int X64_APIC_SMI = 0x7;
    public static final int HYPERCALL = 0x8;
    public static final int X64_APIC_INIT_SIPI = 0x9;
    public static final int MC_UPDATE_PATCH_LEVEL_MSR_READ = 0xA;
    public static final int X64_APIC_WRITE = 0xB;
    public static final int X64_MSR_INDEX = 0xC;
    public static final int UNKNOWN_SYNIC_CONNECTION = 0xD;
    public static final int X64_APIC_EOI = 0xE;
    public static final int RETARGET_INTERRUPT_WITH_UNKNOWN_DEVICE_ID = 0xF;
    public static final int X64_IO_PORT_RANGE = 0x11;

    /** access_type_mask bits. */
    public static final int ACCESS_READ = 1;
    public static final int ACCESS_WRITE = 2;
    public static final int ACCESS_EXECUTE = 4;

    private HvInterceptType() {
    }
}
