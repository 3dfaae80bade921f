package dev.parvis.hv.hypercall;

import dev.parvis.abi.hv.HvCpuid;
import dev.parvis.abi.hv.HvRegisterName;
import dev.parvis.abi.hv.HvSynic;
import dev.parvis.abi.hv.input.RegisterValue;
import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.backend.CpuidResult;
import dev.parvis.hv.backend.SegmentRegister;
import dev.parvis.hv.backend.TableRegister;
import dev.parvis.hv.backend.X64Register;
import dev.parvis.hv.partition.Partition;
import dev.parvis.hv.vp.CpuidPolicy;
import dev.parvis.hv.vp.VirtualProcessor;
import java.util.Map;

/**
 * The registers HvCallGet/SetVpRegisters reach on one VP: architectural x64 state from the engine,
 * synthetic registers (SynIC, hypercall page, guest OS id, suspend states) from the kernel. Values
 * are the published 128-bit register values; segment and table registers use the TLFS layouts.
 */
final class VpRegisterFile {
    private static final Map<Integer, X64Register> ARCH = Map.ofEntries(
            Map.entry(HvRegisterName.RAX.raw(), X64Register.RAX), Map.entry(HvRegisterName.RCX.raw(), X64Register.RCX),
            Map.entry(HvRegisterName.RDX.raw(), X64Register.RDX), Map.entry(HvRegisterName.RBX.raw(), X64Register.RBX),
            Map.entry(HvRegisterName.RSP.raw(), X64Register.RSP), Map.entry(HvRegisterName.RBP.raw(), X64Register.RBP),
            Map.entry(HvRegisterName.RSI.raw(), X64Register.RSI), Map.entry(HvRegisterName.RDI.raw(), X64Register.RDI),
            Map.entry(HvRegisterName.R8.raw(), X64Register.R8), Map.entry(HvRegisterName.R9.raw(), X64Register.R9),
            Map.entry(HvRegisterName.R10.raw(), X64Register.R10), Map.entry(HvRegisterName.R11.raw(), X64Register.R11),
            Map.entry(HvRegisterName.R12.raw(), X64Register.R12), Map.entry(HvRegisterName.R13.raw(), X64Register.R13),
            Map.entry(HvRegisterName.R14.raw(), X64Register.R14), Map.entry(HvRegisterName.R15.raw(), X64Register.R15),
            Map.entry(HvRegisterName.RIP.raw(), X64Register.RIP), Map.entry(HvRegisterName.RFLAGS.raw(), X64Register.RFLAGS),
            Map.entry(HvRegisterName.CR0.raw(), X64Register.CR0), Map.entry(HvRegisterName.CR2.raw(), X64Register.CR2),
            Map.entry(HvRegisterName.CR3.raw(), X64Register.CR3), Map.entry(HvRegisterName.CR4.raw(), X64Register.CR4),
            Map.entry(HvRegisterName.CR8.raw(), X64Register.CR8), Map.entry(HvRegisterName.EFER.raw(), X64Register.EFER),
            Map.entry(HvRegisterName.DR0.raw(), X64Register.DR0), Map.entry(HvRegisterName.DR1.raw(), X64Register.DR1),
            Map.entry(HvRegisterName.DR2.raw(), X64Register.DR2), Map.entry(HvRegisterName.DR3.raw(), X64Register.DR3),
            Map.entry(HvRegisterName.DR6.raw(), X64Register.DR6), Map.entry(HvRegisterName.DR7.raw(), X64Register.DR7),
            Map.entry(HvRegisterName.KERNEL_GS_BASE.raw(), X64Register.KERNEL_GS_BASE),
            Map.entry(HvRegisterName.ES.raw(), X64Register.ES), Map.entry(HvRegisterName.CS.raw(), X64Register.CS),
            Map.entry(HvRegisterName.SS.raw(), X64Register.SS), Map.entry(HvRegisterName.DS.raw(), X64Register.DS),
            Map.entry(HvRegisterName.FS.raw(), X64Register.FS), Map.entry(HvRegisterName.GS.raw(), X64Register.GS),
            Map.entry(HvRegisterName.LDTR.raw(), X64Register.LDTR), Map.entry(HvRegisterName.TR.raw(), X64Register.TR),
            Map.entry(HvRegisterName.IDTR.raw(), X64Register.IDTR), Map.entry(HvRegisterName.GDTR.raw(), X64Register.GDTR));

    /** InternalActivityState bit 0: the VP waits for HvCallStartVirtualProcessor. */
    static final long INTERNAL_STARTUP_SUSPEND = 1;
    /** InternalActivityState bit 1: the VP is halted (HLT) until it has work. */
    private static final long HALT_SUSPEND = 2;
    /**
     * PendingInterruption as Parvis reports a SynIC wake not yet consumed (guests run in polling mode,
     * so the "interrupt" is the wake-up of the next HLT): InterruptionPending (bit 0), type external (0),
     * vector 0x20 (the SDK's SINT vector) in bits 16..31.
     */
    private static final long SYNIC_WAKE_PENDING = 1 | 0x20L << 16;

    private final Hypervisor hv;
    private final VirtualProcessor vp;
    private final Partition partition;
    private final boolean callerIsRoot;

    VpRegisterFile(Hypervisor hv, VirtualProcessor vp, boolean callerIsRoot) {
        this.hv = hv;
        this.vp = vp;
        this.partition = vp.partition();
        this.callerIsRoot = callerIsRoot;
    }

    /** The value, or null for an unknown or unreadable register. */
    RegisterValue get(HvRegisterName name) {
        X64Register arch = ARCH.get(name.raw());
        if (arch != null) {
            return readArch(arch);
        }
        int raw = name.raw();
        if (raw >= HvRegisterName.SINT0.raw() && raw < HvRegisterName.SINT0.raw() + HvSynic.SINT_COUNT) {
            return value(vp.synic().sint(raw - HvRegisterName.SINT0.raw()));
        }
        return switch (raw) {
            case 0x0000_0000 -> value(vp.explicitSuspended() ? 1 : 0);
            case 0x0000_0001 -> value(vp.interceptSuspended() ? 1 : 0);
            case 0x0000_0004 -> value((vp.startupSuspended() ? INTERNAL_STARTUP_SUSPEND : 0) | (vp.isHalted() ? HALT_SUSPEND : 0));
            case 0x0001_0002 -> value(vp.wakePending() ? SYNIC_WAKE_PENDING : 0);
            case 0x0000_0100 -> cpuid(HvCpuid.LEAF_VERSION);
            case 0x0000_0200 -> cpuid(HvCpuid.LEAF_FEATURES);
            case 0x0009_0000 -> value(vp.runNanos() / 100);
            case 0x0009_0001 -> value(partition.hypercallRegister());
            case 0x0009_0002 -> value(partition.guestOsId());
            case 0x0009_0003 -> value(vp.index());
            case 0x0009_0004 -> value(partition.referenceTime());
            case 0x000A_0010 -> value(vp.synic().scontrol());
            case 0x000A_0011 -> value(HvSynic.SVERSION);
            case 0x000A_0012 -> value(vp.synic().siefp());
            case 0x000A_0013 -> value(vp.synic().simp());
            case 0x000A_0014 -> value(0);
            default -> null;
        };
    }

    /** Writes a register; false for an unknown, read-only or invalid value. */
    boolean set(HvRegisterName name, long low, long high) {
        X64Register arch = ARCH.get(name.raw());
        if (arch != null) {
            // Only the root sets architectural state (the loader, save/restore); a guest changing
            // its own CR0/EFER/RIP through a hypercall would only be a way to wedge the CPU model.
            return callerIsRoot && writeArch(arch, low, high);
        }
        int raw = name.raw();
        if (raw >= HvRegisterName.SINT0.raw() && raw < HvRegisterName.SINT0.raw() + HvSynic.SINT_COUNT) {
            return vp.synic().setSint(raw - HvRegisterName.SINT0.raw(), low);
        }
        switch (raw) {
            case 0x0000_0000 -> {
                return callerIsRoot && low <= 1 && doTrue(() -> vp.setExplicitSuspend(low == 1));
            }
            case 0x0000_0001 -> {
                return callerIsRoot && low <= 1 && doTrue(() -> vp.setInterceptSuspend(low == 1));
            }
            case 0x0000_0004 -> {
                // InternalActivityState (restore of a saved VP, or a VP made to wait for its start):
                // StartupSuspend as given; halted again unless SynIC work is already pending for it.
                return callerIsRoot && (low & ~(INTERNAL_STARTUP_SUSPEND | HALT_SUSPEND)) == 0 && doTrue(() -> {
                    vp.setStartupSuspend((low & INTERNAL_STARTUP_SUSPEND) != 0);
                    vp.restoreHalted((low & HALT_SUSPEND) != 0);
                });
            }
            case 0x0001_0002 -> {
                // Restore: SynIC work the VP had not slept through yet is pending again (no lost wake-up).
                return callerIsRoot && (low == 0 || low == SYNIC_WAKE_PENDING) && doTrue(() -> {
                    if (low != 0) {
                        vp.wake();
                    }
                });
            }
            case 0x0009_0001 -> {
                return setHypercallPage(low);
            }
            case 0x0009_0002 -> {
                return doTrue(() -> partition.setGuestOsId(low));
            }
            case 0x000A_0010 -> {
                return (low & ~HvSynic.SCONTROL_ENABLE) == 0 && doTrue(() -> vp.synic().setScontrol(low));
            }
            case 0x000A_0012 -> {
                return OverlayRegisters.setSiefp(vp, low);
            }
            case 0x000A_0013 -> {
                return OverlayRegisters.setSimp(vp, low);
            }
            case 0x000A_0014 -> {
                return doTrue(() -> vp.synic().endOfMessage());
            }
            default -> {
                return false;
            }
        }
    }

    private boolean setHypercallPage(long value) {
        try {
            return OverlayRegisters.setHypercall(hv.pool(), hv.backend().hypercallPageImage(), partition, value);
        } catch (dev.parvis.hv.memory.PageStateException e) {
            throw new IllegalStateException(partition + ": the deposit rule was broken: " + e.getMessage(), e);
        }
    }

    private RegisterValue readArch(X64Register reg) {
        if (reg.isSegment()) {
            SegmentRegister s = vp.engine().readSegment(reg);
            long high = (s.limit() & 0xFFFF_FFFFL) | ((s.selector() & 0xFFFFL) << 32) | ((s.attributes() & 0xFFFFL) << 48);
            return new RegisterValue(s.base(), high);
        }
        if (reg.isTable()) {
            TableRegister t = vp.engine().readTable(reg);
            return new RegisterValue((t.limit() & 0xFFFFL) << 48, t.base());
        }
        return value(vp.engine().readRegister(reg));
    }

    private boolean writeArch(X64Register reg, long low, long high) {
        if (reg.isSegment()) {
            vp.engine().writeSegment(reg, new SegmentRegister(low, (int) high, (short) (high >>> 32), (short) (high >>> 48)));
        } else if (reg.isTable()) {
            vp.engine().writeTable(reg, new TableRegister(high, (int) ((low >>> 48) & 0xFFFF)));
        } else {
            vp.engine().writeRegister(reg, low);
        }
        return true;
    }

    private RegisterValue cpuid(int leaf) {
        CpuidResult r = CpuidPolicy.on(hv.backend(), partition.privileges(), Partition.MAX_VPS).leaf(leaf, 0, vp.index());
        return new RegisterValue((r.eax() & 0xFFFF_FFFFL) | ((long) r.ebx() << 32), (r.ecx() & 0xFFFF_FFFFL) | ((long) r.edx() << 32));
    }

    private static RegisterValue value(long low) {
        return new RegisterValue(low, 0);
    }

    private static boolean doTrue(Runnable r) {
        r.run();
        return true;
    }
}
