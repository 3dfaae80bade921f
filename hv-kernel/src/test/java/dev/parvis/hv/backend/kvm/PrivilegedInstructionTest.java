package dev.parvis.hv.backend.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class PrivilegedInstructionTest {
    private static PrivilegedInstruction decode(String hex) {
        byte[] b = HexFormat.of().parseHex(hex);
        return PrivilegedInstruction.decode(b, b.length);
    }

    @Test
    void decodesTheInstructionsADeprivilegedGuestMayStillUse() {
        assertEquals(new PrivilegedInstruction.Halt(), decode("f4"));
        assertEquals(new PrivilegedInstruction.PortOut(PrivilegedInstruction.PORT_IN_DX, 2, 2), decode("66ef"));
        assertEquals(new PrivilegedInstruction.PortOut(PrivilegedInstruction.PORT_IN_DX, 4, 1), decode("ef"));
        assertEquals(new PrivilegedInstruction.PortOut(0x80, 1, 2), decode("e680"));
        assertEquals(new PrivilegedInstruction.PortIn(0x60, 4, 2), decode("e560"));
        assertEquals(new PrivilegedInstruction.PortIn(PrivilegedInstruction.PORT_IN_DX, 1, 1), decode("ec"));
        assertEquals(new PrivilegedInstruction.InterruptFlag(false), decode("fa"));
        assertEquals(new PrivilegedInstruction.InterruptFlag(true), decode("fb"));
        assertEquals(new PrivilegedInstruction.ReadMsr(), decode("0f32"));
        assertEquals(new PrivilegedInstruction.WriteMsr(), decode("0f30"));
    }

    @Test
    void anythingElseOrATruncatedInstructionIsNone() {
        assertNull(decode("0f01c1"), "vmcall");
        assertNull(decode("e6"), "out imm8 without its immediate");
        assertNull(decode("6666666666666666666666666666666666"), "prefixes only");
        assertNull(decode("66f4"), "hlt with a prefix");
        assertNull(decode("f36e"), "rep outsb (string I/O is not emulated)");
    }
}
