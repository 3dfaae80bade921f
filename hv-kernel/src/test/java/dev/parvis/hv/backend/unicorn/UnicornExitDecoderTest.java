package dev.parvis.hv.backend.unicorn;

import dev.parvis.hv.backend.MemoryAccess;
import dev.parvis.hv.backend.VpExit;
import org.junit.jupiter.api.Test;

import java.util.function.IntFunction;

import static dev.parvis.hv.backend.unicorn.UnicornAbi.UC_ERR_EXCEPTION;
import static dev.parvis.hv.backend.unicorn.UnicornAbi.UC_ERR_INSN_INVALID;
import static dev.parvis.hv.backend.unicorn.UnicornAbi.UC_ERR_OK;
import static dev.parvis.hv.backend.unicorn.UnicornAbi.UC_ERR_WRITE_UNMAPPED;
import static dev.parvis.hv.backend.unicorn.UnicornExitDecoder.NO_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The exit decoding rules, without libunicorn. */
class UnicornExitDecoderTest {
    private static final long RIP = 0x1234;
    private static final byte[] NONE = {};
    private static final byte[] VMCALL = {0x0F, 0x01, (byte) 0xC1};
    private static final byte[] VMMCALL = {0x0F, 0x01, (byte) 0xD9};
    private static final byte[] UD2 = {0x0F, 0x0B, (byte) 0xF4};
    private static final IntFunction<String> TEXT = e -> "text " + e;
    private static final RecordedEvent NO_EVENT = RecordedEvent.NONE;

    private static VpExit decode(int err, RecordedEvent event, boolean kicked, byte[] bytes, int before) {
        return UnicornExitDecoder.decode(err, event, kicked, RIP, bytes, before, TEXT);
    }

    @Test
    void recordedMemoryFaultIsAMemoryViolation() {
        var fault = new RecordedEvent.MemoryFault(0x10_0000, MemoryAccess.WRITE, false);
        assertEquals(new VpExit.MemoryViolation(0x10_0000, MemoryAccess.WRITE, false),
                decode(UC_ERR_WRITE_UNMAPPED, fault, false, NONE, NO_BYTE));
    }

    @Test
    void memoryFaultWinsOverAConcurrentKick() {
        var fault = new RecordedEvent.MemoryFault(0x2000, MemoryAccess.READ, true);
        assertEquals(new VpExit.MemoryViolation(0x2000, MemoryAccess.READ, true),
                decode(UnicornAbi.UC_ERR_READ_PROT, fault, true, NONE, NO_BYTE));
    }

    @Test
    void invalidInstructionAtVmcallOrVmmcallIsAHypercallOfLengthThree() {
        assertEquals(new VpExit.Hypercall(3), decode(UC_ERR_INSN_INVALID, RecordedEvent.INVALID_INSTRUCTION, false, VMCALL, NO_BYTE));
        assertEquals(new VpExit.Hypercall(3), decode(UC_ERR_INSN_INVALID, RecordedEvent.INVALID_INSTRUCTION, false, VMMCALL, NO_BYTE));
    }

    @Test
    void invalidInstructionElsewhereIsAnInvalidOpcodeAtRip() {
        assertEquals(new VpExit.InvalidOpcode(RIP), decode(UC_ERR_INSN_INVALID, RecordedEvent.INVALID_INSTRUCTION, false, UD2, NO_BYTE));
        assertEquals(new VpExit.InvalidOpcode(RIP), decode(UC_ERR_INSN_INVALID, RecordedEvent.INVALID_INSTRUCTION, false, NONE, NO_BYTE),
                "unreadable bytes are not a hypercall");
    }

    @Test
    void insnInvalidWithoutAHookEventDecodesTheSameWay() {
        assertEquals(new VpExit.Hypercall(3), decode(UC_ERR_INSN_INVALID, NO_EVENT, false, VMCALL, NO_BYTE));
        assertEquals(new VpExit.InvalidOpcode(RIP), decode(UC_ERR_INSN_INVALID, NO_EVENT, false, UD2, NO_BYTE));
    }

    @Test
    void recordedInterruptIsAnExceptionWithItsVector() {
        VpExit exit = decode(UC_ERR_OK, new RecordedEvent.Interrupt(13, 0x1000), false, NONE, NO_BYTE);
        VpExit.Exception e = (VpExit.Exception) exit;
        assertEquals(13, e.vector());
        assertTrue(e.detail().contains("#GP"), e.detail());
    }

    @Test
    void recordedPortWriteIsAnIoPortWrite() {
        assertEquals(new VpExit.IoPortWrite(0x64, 1, 0xFE),
                decode(UC_ERR_OK, new RecordedEvent.PortWrite(0x64, 1, 0xFE), false, NONE, NO_BYTE));
    }

    @Test
    void okWithAKickIsCancelledEvenRightAfterAHlt() {
        assertEquals(new VpExit.Cancelled(), decode(UC_ERR_OK, NO_EVENT, true, NONE, NO_BYTE));
        assertEquals(new VpExit.Cancelled(), decode(UC_ERR_OK, NO_EVENT, true, NONE, 0xF4));
    }

    @Test
    void okWithHltBeforeRipIsAHalt() {
        assertEquals(new VpExit.Halt(), decode(UC_ERR_OK, NO_EVENT, false, NONE, 0xF4));
    }

    @Test
    void okOtherwiseIsCancelled() {
        assertEquals(new VpExit.Cancelled(), decode(UC_ERR_OK, NO_EVENT, false, NONE, 0x90));
        assertEquals(new VpExit.Cancelled(), decode(UC_ERR_OK, NO_EVENT, false, NONE, NO_BYTE));
    }

    @Test
    void anyOtherErrorIsExceptionMinusOneWithTheLibraryText() {
        assertEquals(new VpExit.Exception(-1, "text " + UC_ERR_EXCEPTION), decode(UC_ERR_EXCEPTION, NO_EVENT, false, NONE, NO_BYTE));
        assertEquals(new VpExit.Exception(-1, "text 7"), decode(UC_ERR_WRITE_UNMAPPED, NO_EVENT, true, NONE, NO_BYTE));
    }

    @Test
    void memoryTypesMapToAccessAndMappedFlag() {
        assertEquals(new RecordedEvent.MemoryFault(1, MemoryAccess.READ, false), UnicornExitDecoder.memoryFault(19, 1));
        assertEquals(new RecordedEvent.MemoryFault(1, MemoryAccess.WRITE, false), UnicornExitDecoder.memoryFault(20, 1));
        assertEquals(new RecordedEvent.MemoryFault(1, MemoryAccess.EXECUTE, false), UnicornExitDecoder.memoryFault(21, 1));
        assertEquals(new RecordedEvent.MemoryFault(1, MemoryAccess.WRITE, true), UnicornExitDecoder.memoryFault(22, 1));
        assertEquals(new RecordedEvent.MemoryFault(1, MemoryAccess.READ, true), UnicornExitDecoder.memoryFault(23, 1));
        assertEquals(new RecordedEvent.MemoryFault(1, MemoryAccess.EXECUTE, true), UnicornExitDecoder.memoryFault(24, 1));
        assertThrows(IllegalArgumentException.class, () -> UnicornExitDecoder.memoryFault(16, 1));
    }
}
