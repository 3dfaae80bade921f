package dev.parvis.hv.backend.kvm;

import dev.parvis.abi.boot.BootProtocol;
import dev.parvis.abi.hv.HvConstants;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The hypercall page this backend supplies. VMCALL does not reach user space on KVM (KVM answers it
 * itself), and HLT and OUT are privileged when the guest runs deprivileged, so every entry of the
 * page instead jumps to a stub that stores to the {@link SupervisorArea#DOORBELL}: an address with
 * no memory behind it, whose store leaves the guest as an MMIO exit naming the entry.
 *
 * <p>The page keeps the layout of the standard image ({@link HvConstants#hypercallPageImage()}) at
 * every place a VP can stop: entries, and the {@code ret} after each VMCALL, HLT or OUT. So a VP saved
 * on one backend between a hypercall and its {@code ret} resumes correctly on the other. Where the
 * standard image has a one-byte instruction before its {@code ret} (HLT, OUT), the entry here is
 * {@code jmp rel8} with rel8 = 0xC3, so the byte after the entry is still that {@code ret}.
 */
final class KvmHypercallPage {
    enum Kind { HYPERCALL, HALT, OUTB, OUTW, OUTL }

    /**
     * One exit of the page: the entry that jumps to it, the stub storing to {@code doorbell}, and where the VP resumes after the
     * kernel handled it ({@code resume}; for a hypercall the VMCALL's place, which the kernel advances
     * by {@code instructionLength} unless a rep call continues).
     */
    record ExitPoint(Kind kind, int entry, int stub, byte[] stubBytes, int resume, int instructionLength) {
        int stubEnd() {
            return stub + stubBytes.length;
        }

        long doorbell() {
            return SupervisorArea.DOORBELL + 8L * kind.ordinal();
        }

        int accessSize() {
            return switch (kind) {
                case OUTW -> 2;
                case OUTL -> 4;
                default -> 1;
            };
        }
    }

    private static final byte JMP_REL8 = (byte) 0xEB;
    private static final byte RET = (byte) 0xC3;
    private static final int VMCALL_LENGTH = 3;
    private static final int FIRST_HYPERCALL_STUB = 0x40;
    private static final int STUB_SPACING = 10;
    private static final List<ExitPoint> EXITS = new ArrayList<>();
    private static final byte[] IMAGE = build();

    private KvmHypercallPage() {}

    static byte[] image() {
        return IMAGE.clone();
    }

    /** The exit whose stub ends at {@code offset} within the page, or null. */
    static ExitPoint exitEndingAt(int offset) {
        for (ExitPoint e : EXITS) {
            if (e.stubEnd() == offset) {
                return e;
            }
        }
        return null;
    }

    /** The exit whose stub contains {@code offset} (the VP stopped between its jmp and its store), or null. */
    static ExitPoint exitContaining(int offset) {
        for (ExitPoint e : EXITS) {
            if (offset >= e.stub() && offset < e.stubEnd()) {
                return e;
            }
        }
        return null;
    }

    static List<ExitPoint> exits() {
        return List.copyOf(EXITS);
    }

    private static byte[] build() {
        byte[] page = HvConstants.hypercallPageImage();
        int stub = FIRST_HYPERCALL_STUB;
        for (int at = 0; at + VMCALL_LENGTH <= FIRST_HYPERCALL_STUB; at++) {
            if (Arrays.equals(page, at, at + VMCALL_LENGTH, HvConstants.VMCALL, 0, VMCALL_LENGTH)) {
                jump(page, at, stub);
                page[at + 2] = HvConstants.HYPERCALL_PAGE_FILLER;
                add(page, new ExitPoint(Kind.HYPERCALL, at, stub, store(Kind.HYPERCALL), at, VMCALL_LENGTH));
                stub += STUB_SPACING;
            }
        }
        oneByteEntry(page, BootProtocol.HYPERCALL_PAGE_HALT, Kind.HALT);
        oneByteEntry(page, BootProtocol.HYPERCALL_PAGE_OUTB, Kind.OUTB);
        oneByteEntry(page, BootProtocol.HYPERCALL_PAGE_OUTL, Kind.OUTL);
        int outw = BootProtocol.HYPERCALL_PAGE_OUTW;
        int outwStub = outw + 2 - 0x42;
        jump(page, outw, outwStub);
        add(page, new ExitPoint(Kind.OUTW, outw, outwStub, store(Kind.OUTW), outw + 2, 0));
        return page;
    }

    /** HLT or OUT (one byte) then ret: becomes jmp rel8=0xC3, keeping the ret one byte after the entry. */
    private static void oneByteEntry(byte[] page, int entry, Kind kind) {
        if (page[entry + 1] != RET) {
            throw new IllegalStateException("no ret after the entry at 0x" + Integer.toHexString(entry));
        }
        int stub = entry + 2 + RET;
        page[entry] = JMP_REL8;
        add(page, new ExitPoint(kind, entry, stub, store(kind), entry + 1, 0));
    }

    private static void jump(byte[] page, int from, int to) {
        int rel = to - (from + 2);
        if (rel < Byte.MIN_VALUE || rel > Byte.MAX_VALUE) {
            throw new IllegalStateException("stub 0x%x out of reach of 0x%x".formatted(to, from));
        }
        page[from] = JMP_REL8;
        page[from + 1] = (byte) rel;
    }

    private static void add(byte[] page, ExitPoint exit) {
        for (int i = exit.stub(); i < exit.stubEnd(); i++) {
            if (page[i] != HvConstants.HYPERCALL_PAGE_FILLER) {
                throw new IllegalStateException("stub at 0x%x overlaps the page's code".formatted(exit.stub()));
            }
        }
        System.arraycopy(exit.stubBytes(), 0, page, exit.stub(), exit.stubBytes().length);
        EXITS.add(exit);
    }

    /** {@code mov moffs64, al|ax|eax} to the kind's doorbell: 9 or 10 bytes. */
    private static byte[] store(Kind kind) {
        long doorbell = SupervisorArea.DOORBELL + 8L * kind.ordinal();
        byte[] opcode = switch (kind) {
            case OUTW -> new byte[] {0x66, (byte) 0xA3};
            case OUTL -> new byte[] {(byte) 0xA3};
            default -> new byte[] {(byte) 0xA2};
        };
        byte[] bytes = Arrays.copyOf(opcode, opcode.length + 8);
        for (int i = 0; i < 8; i++) {
            bytes[opcode.length + i] = (byte) (doorbell >>> (8 * i));
        }
        return bytes;
    }
}
