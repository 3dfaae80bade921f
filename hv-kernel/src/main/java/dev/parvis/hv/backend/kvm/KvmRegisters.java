package dev.parvis.hv.backend.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.parvis.hv.backend.SegmentRegister;
import dev.parvis.hv.backend.TableRegister;
import dev.parvis.hv.backend.X64Register;
import java.lang.foreign.MemorySegment;

/**
 * One VP's registers as the kernel sees them, translated to and from the processor's. General
 * registers, RIP, CR2 and the FS/GS bases are the processor's; RFLAGS is the processor's except the
 * bits a deprivileged guest cannot hold (IF, IOPL); everything else is {@link ArchitecturalState}.
 * The processor meanwhile runs with the backend's flat segments, GDT, IDT, TSS and identity map.
 */
final class KvmRegisters {
    /** Offsets in struct kvm_regs, by X64Register ordinal (RAX..R15, RIP, RFLAGS). */
    private static final long[] GPR_OFFSET = {0, 16, 24, 8, 48, 56, 32, 40, 64, 72, 80, 88, 96, 104, 112, 120, 128, 136};
    static final long RAX = 0;
    static final long RCX = 16;
    static final long RDX = 24;
    static final long RSP = 48;
    static final long RIP = 128;
    static final long RFLAGS = 136;
    private static final long CR0_PE_MP_ET_NE_WP_PG = 0x8005_0033L;
    private static final long CR4_PAE_OSFXSR_OSXMMEXCPT = 0x620;
    private static final long EFER_LME_LMA_NXE = 0xD00;
    private static final long RFLAGS_FIXED = 0x2;
    private static final long RFLAGS_IF = 1L << 9;
    private static final long RFLAGS_RF = 1L << 16;

    private final KvmVcpu vcpu;
    private final PrivilegeMode mode;
    private final ArchitecturalState arch = new ArchitecturalState();

    KvmRegisters(KvmVcpu vcpu, PrivilegeMode mode) {
        this.vcpu = vcpu;
        this.mode = mode;
    }

    /** The processor state the backend runs a VP in: long mode, its tables, the mode's flat segments. */
    void initializeProcessor(long cr3) {
        MemorySegment s = vcpu.sregs();
        flatSegments(s);
        segment(s, "tr", SupervisorArea.TSS, SupervisorArea.TSS_LIMIT, SupervisorArea.TSS_SELECTOR, 11, 0, false, false);
        s.set(JAVA_BYTE, off("ldt", "unusable"), (byte) 1);
        s.set(JAVA_LONG, off("gdt", "base"), SupervisorArea.GDT);
        s.set(JAVA_SHORT, off("gdt", "limit"), (short) SupervisorArea.GDT_LIMIT);
        s.set(JAVA_LONG, off("idt", "base"), SupervisorArea.IDT);
        s.set(JAVA_SHORT, off("idt", "limit"), (short) SupervisorArea.IDT_LIMIT);
        s.set(JAVA_LONG, off("cr0"), CR0_PE_MP_ET_NE_WP_PG);
        s.set(JAVA_LONG, off("cr3"), cr3);
        s.set(JAVA_LONG, off("cr4"), CR4_PAE_OSFXSR_OSXMMEXCPT);
        s.set(JAVA_LONG, off("efer"), EFER_LME_LMA_NXE);
        vcpu.sregsChanged();
        write(X64Register.RFLAGS, RFLAGS_FIXED);
    }

    /** CS and SS (and the data segments) back to the mode's flat segments, e.g. after an exception. */
    void flatSegments(MemorySegment s) {
        int dpl = mode.cpl();
        segment(s, "cs", 0, 0xFFFF_FFFF, mode.codeSelector(), 11, dpl, true, true);
        for (String data : new String[] {"ds", "es", "ss"}) {
            segment(s, data, 0, 0xFFFF_FFFF, mode.stackSelector(), 3, dpl, false, true);
        }
        for (String data : new String[] {"fs", "gs"}) {
            long base = s.get(JAVA_LONG, off(data, "base"));
            segment(s, data, base, 0xFFFF_FFFF, mode.stackSelector(), 3, dpl, false, true);
        }
        vcpu.sregsChanged();
    }

    private static void segment(MemorySegment s, String name, long base, int limit, short selector, int type, int dpl, boolean code,
                                boolean userSegment) {
        s.set(JAVA_LONG, off(name, "base"), base);
        s.set(JAVA_INT, off(name, "limit"), limit);
        s.set(JAVA_SHORT, off(name, "selector"), selector);
        s.set(JAVA_BYTE, off(name, "type"), (byte) type);
        s.set(JAVA_BYTE, off(name, "present"), (byte) 1);
        s.set(JAVA_BYTE, off(name, "dpl"), (byte) dpl);
        s.set(JAVA_BYTE, off(name, "db"), (byte) (code || !userSegment ? 0 : 1));
        s.set(JAVA_BYTE, off(name, "s"), (byte) (userSegment ? 1 : 0));
        s.set(JAVA_BYTE, off(name, "l"), (byte) (code ? 1 : 0));
        s.set(JAVA_BYTE, off(name, "g"), (byte) (userSegment ? 1 : 0));
        s.set(JAVA_BYTE, off(name, "unusable"), (byte) 0);
    }

    static long off(String... path) {
        return KvmAbi.offset(KvmAbi.SREGS, path);
    }

    long gpr(long offset) {
        return vcpu.reg(offset);
    }

    void setGpr(long offset, long value) {
        vcpu.setReg(offset, value);
    }

    long read(X64Register r) {
        int i = r.ordinal();
        if (r == X64Register.RFLAGS) {
            return (vcpu.reg(RFLAGS) & ~mode.virtualFlags()) | arch.virtualFlags();
        }
        if (i <= X64Register.RIP.ordinal()) {
            return vcpu.reg(GPR_OFFSET[i]);
        }
        return switch (r) {
            case CR2 -> vcpu.sregs().get(JAVA_LONG, off("cr2"));
            case FS_BASE -> vcpu.sregs().get(JAVA_LONG, off("fs", "base"));
            case GS_BASE -> vcpu.sregs().get(JAVA_LONG, off("gs", "base"));
            default -> {
                if (!arch.holds(r)) {
                    throw new IllegalArgumentException(r + " is a segment or table register: use its own accessor");
                }
                yield arch.value(r);
            }
        };
    }

    void write(X64Register r, long value) {
        int i = r.ordinal();
        if (r == X64Register.RFLAGS) {
            long virtual = mode.virtualFlags();
            arch.setVirtualFlags(value & virtual);
            long forced = mode == PrivilegeMode.DEPRIVILEGED ? RFLAGS_IF : 0;
            vcpu.setReg(RFLAGS, (value & ~virtual) | forced | RFLAGS_FIXED);
        } else if (i <= X64Register.RIP.ordinal()) {
            vcpu.setReg(GPR_OFFSET[i], value);
        } else {
            switch (r) {
                case CR2 -> setSreg(off("cr2"), value);
                case FS_BASE -> setSreg(off("fs", "base"), value);
                case GS_BASE -> setSreg(off("gs", "base"), value);
                default -> {
                    if (!arch.holds(r)) {
                        throw new IllegalArgumentException(r + " is a segment or table register: use its own accessor");
                    }
                    arch.setValue(r, value);
                }
            }
        }
    }

    private void setSreg(long offset, long value) {
        vcpu.sregs().set(JAVA_LONG, offset, value);
        vcpu.sregsChanged();
    }

    SegmentRegister segment(X64Register s) {
        SegmentRegister v = arch.segment(s);
        return switch (s) {
            case FS -> new SegmentRegister(read(X64Register.FS_BASE), v.limit(), v.selector(), v.attributes());
            case GS -> new SegmentRegister(read(X64Register.GS_BASE), v.limit(), v.selector(), v.attributes());
            default -> v;
        };
    }

    void setSegment(X64Register s, SegmentRegister value) {
        arch.setSegment(s, value);
        if (s == X64Register.FS) {
            write(X64Register.FS_BASE, value.base());
        } else if (s == X64Register.GS) {
            write(X64Register.GS_BASE, value.base());
        }
    }

    TableRegister table(X64Register t) {
        return arch.table(t);
    }

    void setTable(X64Register t, TableRegister value) {
        arch.setTable(t, value);
    }

    /** IF as the guest last set it (a deprivileged guest's CLI/STI are emulated). */
    void setVirtualInterruptFlag(boolean set) {
        long flags = arch.virtualFlags();
        arch.setVirtualFlags(set ? flags | RFLAGS_IF : flags & ~RFLAGS_IF);
    }

    /** Puts the VP back where an exception interrupted it: RIP, RSP, RFLAGS from the frame, flat CS and SS. */
    void unwind(SupervisorArea.ExceptionFrame frame) {
        vcpu.setReg(RIP, frame.rip());
        vcpu.setReg(RSP, frame.rsp());
        vcpu.setReg(RFLAGS, frame.rflags() & ~RFLAGS_RF);
        flatSegments(vcpu.sregs());
    }

    long cr2() {
        return vcpu.sregs().get(JAVA_LONG, off("cr2"));
    }
}
