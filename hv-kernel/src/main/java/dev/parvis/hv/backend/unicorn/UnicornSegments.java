package dev.parvis.hv.backend.unicorn;

import dev.parvis.hv.backend.SegmentRegister;
import dev.parvis.hv.backend.X64Register;

/**
 * Segment registers as far as unicorn exposes them.
 *
 * <p>Limits of libunicorn 2.x: CS, SS, DS, ES, FS and GS give only their selector (a 2-byte
 * uc_reg_read); the hidden descriptor cache is not readable. In 64-bit mode the processor ignores
 * base and limit for all of them except FS and GS, whose bases come from FS_BASE and GS_BASE, so
 * this class reports base 0 (FS/GS: the real base), limit 0xFFFFFFFF and the attributes of the
 * flat segments unicorn executes with (CS: 64-bit code 0xA09B, others: data 0xC093). Writing one
 * writes the selector (unicorn loads the descriptor from the guest GDT and refuses an invalid one)
 * and, for FS/GS, the base; limit and attributes are not writable. LDTR and TR are complete
 * (uc_x86_mmr: selector, base, limit and QEMU's descriptor flags).
 */
final class UnicornSegments {
    private UnicornSegments() {}

    static final short LONG_MODE_CODE = (short) 0xA09B;
    static final short FLAT_DATA = (short) 0xC093;

    static SegmentRegister read(UnicornCpu cpu, X64Register segment) {
        int id = requireSegment(segment);
        if (segment == X64Register.LDTR || segment == X64Register.TR) {
            long[] mmr = cpu.readMmr(id);
            return new SegmentRegister(mmr[1], (int) mmr[2], (short) mmr[0], attributes((int) mmr[3]));
        }
        short selector = (short) cpu.readLong(id);
        long base = switch (segment) {
            case FS -> cpu.readLong(UnicornAbi.UC_X86_REG_FS_BASE);
            case GS -> cpu.readLong(UnicornAbi.UC_X86_REG_GS_BASE);
            default -> 0;
        };
        return new SegmentRegister(base, 0xFFFF_FFFF, selector, segment == X64Register.CS ? LONG_MODE_CODE : FLAT_DATA);
    }

    static void write(UnicornCpu cpu, X64Register segment, SegmentRegister value) {
        int id = requireSegment(segment);
        if (segment == X64Register.LDTR || segment == X64Register.TR) {
            cpu.writeMmr(id, value.selector() & 0xffff, value.base(), value.limit(), flags(value.attributes()));
            return;
        }
        cpu.writeLong(id, value.selector() & 0xffff);
        switch (segment) {
            case FS -> cpu.writeLong(UnicornAbi.UC_X86_REG_FS_BASE, value.base());
            case GS -> cpu.writeLong(UnicornAbi.UC_X86_REG_GS_BASE, value.base());
            default -> { }
        }
    }

    /** QEMU keeps a descriptor's high dword (type at bit 8 .. G at bit 23); TLFS packs it into 16 bits. */
    static short attributes(int qemuFlags) {
        return (short) ((qemuFlags >>> 8) & 0xF0FF);
    }

    static int flags(short attributes) {
        return (attributes & 0xF0FF) << 8;
    }

    private static int requireSegment(X64Register segment) {
        if (!segment.isSegment()) {
            throw new IllegalArgumentException(segment + " is not a segment register");
        }
        return UnicornAbi.registerId(segment);
    }
}
