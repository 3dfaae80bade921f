package dev.parvis.hv.backend.kvm;

import dev.parvis.abi.boot.BootProtocol;
import dev.parvis.hv.backend.SegmentRegister;
import dev.parvis.hv.backend.TableRegister;
import dev.parvis.hv.backend.X64Register;
import java.util.EnumMap;
import java.util.Map;

/**
 * The registers whose architectural value the backend keeps itself, because the processor runs the
 * guest with the backend's own: segment selectors and attributes (the backend's GDT, CPL 3 when
 * deprivileged), GDTR, IDTR, LDTR, TR, CR0, CR3, CR4, CR8, EFER, the debug registers and
 * KERNEL_GS_BASE. The kernel reads back exactly what it (or the loader, or a saved state) wrote; a
 * fresh VP starts as the boot protocol says, with the values the unicorn backend starts with, so a
 * state saved on one backend restores on the other. FS and GS bases, CR2 and every general register
 * are the processor's.
 */
final class ArchitecturalState {
    static final short LONG_MODE_CODE = (short) BootProtocol.BOOT_CODE_SEGMENT_ATTRIBUTES;
    static final short FLAT_DATA = (short) BootProtocol.BOOT_DATA_SEGMENT_ATTRIBUTES;

    private final Map<X64Register, SegmentRegister> segments = new EnumMap<>(X64Register.class);
    private final Map<X64Register, TableRegister> tables = new EnumMap<>(X64Register.class);
    private final Map<X64Register, Long> values = new EnumMap<>(X64Register.class);
    /** RFLAGS bits the processor does not hold (see PrivilegeMode#virtualFlags). */
    private long virtualFlags;

    ArchitecturalState() {
        for (X64Register s : new X64Register[] {X64Register.ES, X64Register.SS, X64Register.DS, X64Register.FS, X64Register.GS}) {
            segments.put(s, new SegmentRegister(0, 0xFFFF_FFFF, (short) 0, FLAT_DATA));
        }
        segments.put(X64Register.CS, new SegmentRegister(0, 0xFFFF_FFFF, (short) 0, LONG_MODE_CODE));
        segments.put(X64Register.LDTR, new SegmentRegister(0, 0, (short) 0, (short) 0));
        segments.put(X64Register.TR, new SegmentRegister(0, 0, (short) 0, (short) 0));
        tables.put(X64Register.GDTR, new TableRegister(0, 0));
        tables.put(X64Register.IDTR, new TableRegister(0, 0));
        for (X64Register r : new X64Register[] {X64Register.CR3, X64Register.CR4, X64Register.CR8, X64Register.DR0, X64Register.DR1,
                X64Register.DR2, X64Register.DR3, X64Register.KERNEL_GS_BASE}) {
            values.put(r, 0L);
        }
        values.put(X64Register.CR0, BootProtocol.BOOT_CR0);
        values.put(X64Register.EFER, BootProtocol.BOOT_EFER);
        values.put(X64Register.DR6, 0xFFFF_0FF0L);
        values.put(X64Register.DR7, 0x400L);
    }

    /** True for the non-segment, non-table registers kept here. */
    boolean holds(X64Register r) {
        return values.containsKey(r);
    }

    long value(X64Register r) {
        return values.get(r);
    }

    void setValue(X64Register r, long value) {
        values.put(r, value);
    }

    SegmentRegister segment(X64Register s) {
        return segments.get(s);
    }

    void setSegment(X64Register s, SegmentRegister value) {
        segments.put(s, value);
    }

    TableRegister table(X64Register t) {
        return tables.get(t);
    }

    void setTable(X64Register t, TableRegister value) {
        tables.put(t, value);
    }

    long virtualFlags() {
        return virtualFlags;
    }

    void setVirtualFlags(long flags) {
        virtualFlags = flags;
    }
}
