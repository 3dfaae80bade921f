package dev.parvis.abi.hv;

import java.util.Map;

/**
 * HV_REGISTER_NAME for HvCallGet/SetVpRegisters (reference section 4.5): the synthetic registers
 * and the x64 architectural ones. ARM64 names are left out because their values overlap x64's.
 */
public record HvRegisterName(int raw) {
    public static final HvRegisterName EXPLICIT_SUSPEND = new HvRegisterName(0x00000000);
    public static final HvRegisterName INTERCEPT_SUSPEND = new HvRegisterName(0x00000001);
    public static final HvRegisterName INSTRUCTION_EMULATION_HINTS = new HvRegisterName(0x00000002);
    public static final HvRegisterName DISPATCH_SUSPEND = new HvRegisterName(0x00000003);
    public static final HvRegisterName INTERNAL_ACTIVITY_STATE = new HvRegisterName(0x00000004);
    public static final HvRegisterName HYPERVISOR_VERSION = new HvRegisterName(0x00000100);
    public static final HvRegisterName PRIVILEGES_AND_FEATURES_INFO = new HvRegisterName(0x00000200);
    public static final HvRegisterName FEATURES_INFO = new HvRegisterName(0x00000201);
    public static final HvRegisterName IMPLEMENTATION_LIMITS_INFO = new HvRegisterName(0x00000202);
    public static final HvRegisterName HARDWARE_FEATURES_INFO = new HvRegisterName(0x00000203);
    public static final HvRegisterName GUEST_CRASH_P0 = new HvRegisterName(0x00000210);
    public static final HvRegisterName GUEST_CRASH_P1 = new HvRegisterName(0x00000211);
    public static final HvRegisterName GUEST_CRASH_P2 = new HvRegisterName(0x00000212);
    public static final HvRegisterName GUEST_CRASH_P3 = new HvRegisterName(0x00000213);
    public static final HvRegisterName GUEST_CRASH_P4 = new HvRegisterName(0x00000214);
    public static final HvRegisterName GUEST_CRASH_CTL = new HvRegisterName(0x00000215);
    public static final HvRegisterName PENDING_INTERRUPTION = new HvRegisterName(0x00010002);
    public static final HvRegisterName INTERRUPT_STATE = new HvRegisterName(0x00010003);
    public static final HvRegisterName PENDING_EVENT0 = new HvRegisterName(0x00010004);
    public static final HvRegisterName PENDING_EVENT1 = new HvRegisterName(0x00010005);
    public static final HvRegisterName DELIVERABILITY_NOTIFICATIONS = new HvRegisterName(0x00010006);
    public static final HvRegisterName VP_RUNTIME = new HvRegisterName(0x00090000);
    public static final HvRegisterName HYPERCALL = new HvRegisterName(0x00090001);
    public static final HvRegisterName GUEST_OS_ID = new HvRegisterName(0x00090002);
    public static final HvRegisterName VP_INDEX = new HvRegisterName(0x00090003);
    public static final HvRegisterName TIME_REF_COUNT = new HvRegisterName(0x00090004);
    public static final HvRegisterName CPU_MANAGEMENT_VERSION = new HvRegisterName(0x00090007);
    public static final HvRegisterName VP_ASSIST_PAGE = new HvRegisterName(0x00090013);
    public static final HvRegisterName VP_ROOT_SIGNAL_COUNT = new HvRegisterName(0x00090014);
    public static final HvRegisterName REFERENCE_TSC = new HvRegisterName(0x00090017);
    public static final HvRegisterName VP_CONFIG = new HvRegisterName(0x00090018);
    public static final HvRegisterName GHCB = new HvRegisterName(0x00090019);
    public static final HvRegisterName REFERENCE_TSC_SEQUENCE = new HvRegisterName(0x0009001A);
    public static final HvRegisterName REGISTER_PAGE = new HvRegisterName(0x0009001C);
    public static final HvRegisterName SINT0 = new HvRegisterName(0x000A0000);
    public static final HvRegisterName SINT1 = new HvRegisterName(0x000A0001);
    public static final HvRegisterName SINT2 = new HvRegisterName(0x000A0002);
    public static final HvRegisterName SINT3 = new HvRegisterName(0x000A0003);
    public static final HvRegisterName SINT4 = new HvRegisterName(0x000A0004);
    public static final HvRegisterName SINT5 = new HvRegisterName(0x000A0005);
    public static final HvRegisterName SINT6 = new HvRegisterName(0x000A0006);
    public static final HvRegisterName SINT7 = new HvRegisterName(0x000A0007);
    public static final HvRegisterName SINT8 = new HvRegisterName(0x000A0008);
    public static final HvRegisterName SINT9 = new HvRegisterName(0x000A0009);
    public static final HvRegisterName SINT10 = new HvRegisterName(0x000A000A);
    public static final HvRegisterName SINT11 = new HvRegisterName(0x000A000B);
    public static final HvRegisterName SINT12 = new HvRegisterName(0x000A000C);
    public static final HvRegisterName SINT13 = new HvRegisterName(0x000A000D);
    public static final HvRegisterName SINT14 = new HvRegisterName(0x000A000E);
    public static final HvRegisterName SINT15 = new HvRegisterName(0x000A000F);
    public static final HvRegisterName SCONTROL = new HvRegisterName(0x000A0010);
    public static final HvRegisterName SVERSION = new HvRegisterName(0x000A0011);
    public static final HvRegisterName SIEFP = new HvRegisterName(0x000A0012);
    public static final HvRegisterName SIMP = new HvRegisterName(0x000A0013);
    public static final HvRegisterName EOM = new HvRegisterName(0x000A0014);
    public static final HvRegisterName SIRBP = new HvRegisterName(0x000A0015);
    public static final HvRegisterName STIMER0_CONFIG = new HvRegisterName(0x000B0000);
    public static final HvRegisterName STIMER0_COUNT = new HvRegisterName(0x000B0001);
    public static final HvRegisterName STIMER1_CONFIG = new HvRegisterName(0x000B0002);
    public static final HvRegisterName STIMER1_COUNT = new HvRegisterName(0x000B0003);
    public static final HvRegisterName STIMER2_CONFIG = new HvRegisterName(0x000B0004);
    public static final HvRegisterName STIMER2_COUNT = new HvRegisterName(0x000B0005);
    public static final HvRegisterName STIMER3_CONFIG = new HvRegisterName(0x000B0006);
    public static final HvRegisterName STIMER3_COUNT = new HvRegisterName(0x000B0007);
    public static final HvRegisterName STIME_UNHALTED_TIMER_CONFIG = new HvRegisterName(0x000B0100);
    public static final HvRegisterName STIME_UNHALTED_TIMER_COUNT = new HvRegisterName(0x000B0101);
    public static final HvRegisterName VSM_CODE_PAGE_OFFSETS = new HvRegisterName(0x000D0002);
    public static final HvRegisterName VSM_VP_STATUS = new HvRegisterName(0x000D0003);
    public static final HvRegisterName RAX = new HvRegisterName(0x00020000);
    public static final HvRegisterName RCX = new HvRegisterName(0x00020001);
    public static final HvRegisterName RDX = new HvRegisterName(0x00020002);
    public static final HvRegisterName RBX = new HvRegisterName(0x00020003);
    public static final HvRegisterName RSP = new HvRegisterName(0x00020004);
    public static final HvRegisterName RBP = new HvRegisterName(0x00020005);
    public static final HvRegisterName RSI = new HvRegisterName(0x00020006);
    public static final HvRegisterName RDI = new HvRegisterName(0x00020007);
    public static final HvRegisterName R8 = new HvRegisterName(0x00020008);
    public static final HvRegisterName R9 = new HvRegisterName(0x00020009);
    public static final HvRegisterName R10 = new HvRegisterName(0x0002000A);
    public static final HvRegisterName R11 = new HvRegisterName(0x0002000B);
    public static final HvRegisterName R12 = new HvRegisterName(0x0002000C);
    public static final HvRegisterName R13 = new HvRegisterName(0x0002000D);
    public static final HvRegisterName R14 = new HvRegisterName(0x0002000E);
    public static final HvRegisterName R15 = new HvRegisterName(0x0002000F);
    public static final HvRegisterName RIP = new HvRegisterName(0x00020010);
    public static final HvRegisterName RFLAGS = new HvRegisterName(0x00020011);
    public static final HvRegisterName XMM0 = new HvRegisterName(0x00030000);
    public static final HvRegisterName XMM1 = new HvRegisterName(0x00030001);
    public static final HvRegisterName XMM2 = new HvRegisterName(0x00030002);
    public static final HvRegisterName XMM3 = new HvRegisterName(0x00030003);
    public static final HvRegisterName XMM4 = new HvRegisterName(0x00030004);
    public static final HvRegisterName XMM5 = new HvRegisterName(0x00030005);
    public static final HvRegisterName XMM6 = new HvRegisterName(0x00030006);
    public static final HvRegisterName XMM7 = new HvRegisterName(0x00030007);
    public static final HvRegisterName XMM8 = new HvRegisterName(0x00030008);
    public static final HvRegisterName XMM9 = new HvRegisterName(0x00030009);
    public static final HvRegisterName XMM10 = new HvRegisterName(0x0003000A);
    public static final HvRegisterName XMM11 = new HvRegisterName(0x0003000B);
    public static final HvRegisterName XMM12 = new HvRegisterName(0x0003000C);
    public static final HvRegisterName XMM13 = new HvRegisterName(0x0003000D);
    public static final HvRegisterName XMM14 = new HvRegisterName(0x0003000E);
    public static final HvRegisterName XMM15 = new HvRegisterName(0x0003000F);
    public static final HvRegisterName FP_MMX0 = new HvRegisterName(0x00030010);
    public static final HvRegisterName FP_MMX1 = new HvRegisterName(0x00030011);
    public static final HvRegisterName FP_MMX2 = new HvRegisterName(0x00030012);
    public static final HvRegisterName FP_MMX3 = new HvRegisterName(0x00030013);
    public static final HvRegisterName FP_MMX4 = new HvRegisterName(0x00030014);
    public static final HvRegisterName FP_MMX5 = new HvRegisterName(0x00030015);
    public static final HvRegisterName FP_MMX6 = new HvRegisterName(0x00030016);
    public static final HvRegisterName FP_MMX7 = new HvRegisterName(0x00030017);
    public static final HvRegisterName FP_CONTROL_STATUS = new HvRegisterName(0x00030018);
    public static final HvRegisterName XMM_CONTROL_STATUS = new HvRegisterName(0x00030019);
    public static final HvRegisterName CR0 = new HvRegisterName(0x00040000);
    public static final HvRegisterName CR2 = new HvRegisterName(0x00040001);
    public static final HvRegisterName CR3 = new HvRegisterName(0x00040002);
    public static final HvRegisterName CR4 = new HvRegisterName(0x00040003);
    public static final HvRegisterName CR8 = new HvRegisterName(0x00040004);
    public static final HvRegisterName XFEM = new HvRegisterName(0x00040005);
    public static final HvRegisterName DR0 = new HvRegisterName(0x00050000);
    public static final HvRegisterName DR1 = new HvRegisterName(0x00050001);
    public static final HvRegisterName DR2 = new HvRegisterName(0x00050002);
    public static final HvRegisterName DR3 = new HvRegisterName(0x00050003);
    public static final HvRegisterName DR6 = new HvRegisterName(0x00050004);
    public static final HvRegisterName DR7 = new HvRegisterName(0x00050005);
    public static final HvRegisterName ES = new HvRegisterName(0x00060000);
    public static final HvRegisterName CS = new HvRegisterName(0x00060001);
    public static final HvRegisterName SS = new HvRegisterName(0x00060002);
    public static final HvRegisterName DS = new HvRegisterName(0x00060003);
    public static final HvRegisterName FS = new HvRegisterName(0x00060004);
    public static final HvRegisterName GS = new HvRegisterName(0x00060005);
    public static final HvRegisterName LDTR = new HvRegisterName(0x00060006);
    public static final HvRegisterName TR = new HvRegisterName(0x00060007);
    public static final HvRegisterName IDTR = new HvRegisterName(0x00070000);
    public static final HvRegisterName GDTR = new HvRegisterName(0x00070001);
    public static final HvRegisterName TSC = new HvRegisterName(0x00080000);
    public static final HvRegisterName EFER = new HvRegisterName(0x00080001);
    public static final HvRegisterName KERNEL_GS_BASE = new HvRegisterName(0x00080002);
    public static final HvRegisterName APIC_BASE = new HvRegisterName(0x00080003);
    public static final HvRegisterName PAT = new HvRegisterName(0x00080004);
    public static final HvRegisterName SYSENTER_CS = new HvRegisterName(0x00080005);
    public static final HvRegisterName SYSENTER_EIP = new HvRegisterName(0x00080006);
    public static final HvRegisterName SYSENTER_ESP = new HvRegisterName(0x00080007);
    public static final HvRegisterName STAR = new HvRegisterName(0x00080008);
    public static final HvRegisterName LSTAR = new HvRegisterName(0x00080009);
    public static final HvRegisterName CSTAR = new HvRegisterName(0x0008000A);
    public static final HvRegisterName SFMASK = new HvRegisterName(0x0008000B);
    public static final HvRegisterName INITIAL_APIC_ID = new HvRegisterName(0x0008000C);
    public static final HvRegisterName TSC_AUX = new HvRegisterName(0x0008007B);
    public static final HvRegisterName SPEC_CTRL = new HvRegisterName(0x00080084);

    private static final Map<Long, String> NAMES = NameTable.scan(HvRegisterName.class);

    public static HvRegisterName of(int raw) {
        return new HvRegisterName(raw);
    }

    /** Number of SINT registers, SINT0..SINT15. */
    public static final int SINT_COUNT = 16;

    /** SINT{@code n}; the SINT registers are consecutive. */
    public static HvRegisterName sint(int n) {
        if (n < 0 || n >= SINT_COUNT) {
            throw new IllegalArgumentException("SINT index out of range: " + n);
        }
        return new HvRegisterName(SINT0.raw + n);
    }

    /** STIMER{@code n}_CONFIG; config and count registers alternate. */
    public static HvRegisterName stimerConfig(int n) {
        return new HvRegisterName(STIMER0_CONFIG.raw + 2 * checkTimer(n));
    }

    public static HvRegisterName stimerCount(int n) {
        return new HvRegisterName(STIMER0_COUNT.raw + 2 * checkTimer(n));
    }

    /** The SINT index when this is a SINT register, else -1. */
    public int sintIndex() {
        int n = raw - SINT0.raw;
        return n >= 0 && n < SINT_COUNT ? n : -1;
    }

    private static int checkTimer(int n) {
        if (n < 0 || n >= 4) {
            throw new IllegalArgumentException("synthetic timer index out of range: " + n);
        }
        return n;
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
        return isKnown() ? name() : "HvRegisterName(" + name() + ")";
    }
}
