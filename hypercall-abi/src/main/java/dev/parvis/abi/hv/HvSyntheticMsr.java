package dev.parvis.abi.hv;

import java.util.Map;

/**
 * The x64 synthetic MSRs (reference section 4.1) Parvis implements, and the synthetic register each
 * one is a view of: RDMSR/WRMSR of one of these reads or writes exactly what
 * HvCallGet/SetVpRegisters of its register does. Where a processor backend cannot trap RDMSR/WRMSR
 * (BackendCapability.MSR_INTERCEPT) a guest reaches the registers through the hypercalls only.
 */
public final class HvSyntheticMsr {
    public static final int GUEST_OS_ID = 0x4000_0000;
    public static final int HYPERCALL = 0x4000_0001;
    public static final int VP_INDEX = 0x4000_0002;
    public static final int VP_RUNTIME = 0x4000_0010;
    public static final int TIME_REF_COUNT = 0x4000_0020;
    public static final int SCONTROL = 0x4000_0080;
    public static final int SVERSION = 0x4000_0081;
    public static final int SIEFP = 0x4000_0082;
    public static final int SIMP = 0x4000_0083;
    public static final int EOM = 0x4000_0084;
    public static final int SINT0 = 0x4000_0090;
    /** The range the hypervisor owns: a backend traps these and leaves every other MSR to the processor. */
    public static final int FIRST = 0x4000_0000;
    public static final int COUNT = 0x100;

    private static final Map<Integer, HvRegisterName> REGISTERS = Map.ofEntries(
            Map.entry(GUEST_OS_ID, HvRegisterName.GUEST_OS_ID), Map.entry(HYPERCALL, HvRegisterName.HYPERCALL),
            Map.entry(VP_INDEX, HvRegisterName.VP_INDEX), Map.entry(VP_RUNTIME, HvRegisterName.VP_RUNTIME),
            Map.entry(TIME_REF_COUNT, HvRegisterName.TIME_REF_COUNT), Map.entry(SCONTROL, HvRegisterName.SCONTROL),
            Map.entry(SVERSION, HvRegisterName.SVERSION), Map.entry(SIEFP, HvRegisterName.SIEFP),
            Map.entry(SIMP, HvRegisterName.SIMP), Map.entry(EOM, HvRegisterName.EOM));

    private HvSyntheticMsr() {}

    /** The synthetic register behind MSR {@code index}, or null for an MSR Parvis does not implement. */
    public static HvRegisterName register(int index) {
        if (index >= SINT0 && index < SINT0 + HvSynic.SINT_COUNT) {
            return new HvRegisterName(HvRegisterName.SINT0.raw() + (index - SINT0));
        }
        return REGISTERS.get(index);
    }
}
