package dev.parvis.hv.backend.unicorn;

import dev.parvis.hv.backend.MemoryAccess;
import dev.parvis.hv.backend.VpExit;

import java.util.function.IntFunction;

/**
 * Turns the outcome of one uc_emu_start into a {@link VpExit}. A pure function: every input is
 * passed in, so it is tested without libunicorn.
 */
final class UnicornExitDecoder {
    private UnicornExitDecoder() {}

    static final int HLT = 0xF4;
    static final int NO_BYTE = -1;
    private static final VpExit.Cancelled CANCELLED = new VpExit.Cancelled();
    private static final VpExit.Halt HALT = new VpExit.Halt();
    private static final VpExit.Hypercall HYPERCALL = new VpExit.Hypercall(3);

    /**
     * @param ucErr         what uc_emu_start returned
     * @param event         the first event a hook recorded during the run
     * @param kicked        a kick was pending when uc_emu_start returned
     * @param rip           RIP after the run
     * @param bytesAtRip    up to 3 bytes at RIP (only needed for an invalid instruction; may be empty)
     * @param byteBeforeRip the byte at RIP-1, or {@link #NO_BYTE} (only needed for UC_ERR_OK)
     * @param errorText     uc_strerror, called only for an unexpected error code
     */
    static VpExit decode(int ucErr, RecordedEvent event, boolean kicked, long rip,
                         byte[] bytesAtRip, int byteBeforeRip, IntFunction<String> errorText) {
        return switch (event) {
            case RecordedEvent.MemoryFault f -> new VpExit.MemoryViolation(f.gpa(), f.access(), f.mapped());
            case RecordedEvent.InvalidInstruction _ -> invalidInstruction(rip, bytesAtRip);
            case RecordedEvent.Interrupt i -> new VpExit.Exception(i.vector(), interruptDetail(i));
            case RecordedEvent.PortWrite p -> new VpExit.IoPortWrite(p.port(), p.size(), p.value());
            case RecordedEvent.None _ -> withoutEvent(ucErr, kicked, rip, bytesAtRip, byteBeforeRip, errorText);
        };
    }

    private static VpExit withoutEvent(int ucErr, boolean kicked, long rip, byte[] bytesAtRip,
                                       int byteBeforeRip, IntFunction<String> errorText) {
        return switch (ucErr) {
            // A kick wins over a coinciding hlt: the guest sees a spurious wake-up, which
            // halt-and-poll guests tolerate, while a lost kick would stall the kernel.
            case UnicornAbi.UC_ERR_OK -> kicked ? CANCELLED : byteBeforeRip == HLT ? HALT : CANCELLED;
            // 2.1.x may end this way without our hook having run (hook removed, or a #UD path
            // that bypasses it): decode the same way.
            case UnicornAbi.UC_ERR_INSN_INVALID -> invalidInstruction(rip, bytesAtRip);
            default -> new VpExit.Exception(-1, errorText.apply(ucErr));
        };
    }

    private static VpExit invalidInstruction(long rip, byte[] bytes) {
        return isHypercall(bytes) ? HYPERCALL : new VpExit.InvalidOpcode(rip);
    }

    /** VMCALL (0F 01 C1, Intel) or VMMCALL (0F 01 D9, AMD). */
    static boolean isHypercall(byte[] bytes) {
        return bytes.length >= 3 && bytes[0] == 0x0F && bytes[1] == 0x01
                && (bytes[2] == (byte) 0xC1 || bytes[2] == (byte) 0xD9);
    }

    private static String interruptDetail(RecordedEvent.Interrupt i) {
        return "vector %d (%s) at rip 0x%x".formatted(i.vector(), vectorName(i.vector()), i.rip());
    }

    static String vectorName(int vector) {
        return switch (vector) {
            case 0 -> "#DE";
            case 1 -> "#DB";
            case 3 -> "#BP";
            case 4 -> "#OF";
            case 5 -> "#BR";
            case 6 -> "#UD";
            case 7 -> "#NM";
            case 8 -> "#DF";
            case 10 -> "#TS";
            case 11 -> "#NP";
            case 12 -> "#SS";
            case 13 -> "#GP";
            case 14 -> "#PF";
            case 16 -> "#MF";
            case 17 -> "#AC";
            case 18 -> "#MC";
            case 19 -> "#XM";
            default -> vector < 32 ? "reserved" : "int " + vector;
        };
    }

    /** The access kind and mapped flag of a UC_MEM_* type passed to an invalid-memory hook. */
    static RecordedEvent.MemoryFault memoryFault(int ucMemType, long address) {
        return switch (ucMemType) {
            case UnicornAbi.UC_MEM_READ_UNMAPPED -> new RecordedEvent.MemoryFault(address, MemoryAccess.READ, false);
            case UnicornAbi.UC_MEM_WRITE_UNMAPPED -> new RecordedEvent.MemoryFault(address, MemoryAccess.WRITE, false);
            case UnicornAbi.UC_MEM_FETCH_UNMAPPED -> new RecordedEvent.MemoryFault(address, MemoryAccess.EXECUTE, false);
            case UnicornAbi.UC_MEM_READ_PROT -> new RecordedEvent.MemoryFault(address, MemoryAccess.READ, true);
            case UnicornAbi.UC_MEM_WRITE_PROT -> new RecordedEvent.MemoryFault(address, MemoryAccess.WRITE, true);
            case UnicornAbi.UC_MEM_FETCH_PROT -> new RecordedEvent.MemoryFault(address, MemoryAccess.EXECUTE, true);
            default -> throw new IllegalArgumentException("not an invalid-memory type: " + ucMemType);
        };
    }
}
