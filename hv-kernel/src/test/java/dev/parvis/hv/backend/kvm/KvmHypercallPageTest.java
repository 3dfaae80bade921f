package dev.parvis.hv.backend.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.parvis.abi.boot.BootProtocol;
import dev.parvis.abi.hv.HvConstants;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The KVM page keeps the standard page's layout wherever a VP can stop, so a VP saved on one backend resumes on the other. */
class KvmHypercallPageTest {
    private static final byte RET = (byte) 0xC3;

    @Test
    void everyRetOfTheStandardPageIsARetHereAndEveryEntryReachesItsStub() {
        byte[] standard = HvConstants.hypercallPageImage();
        byte[] kvm = KvmHypercallPage.image();
        for (KvmHypercallPage.ExitPoint e : KvmHypercallPage.exits()) {
            int after = e.resume() + e.instructionLength();
            assertEquals(RET, standard[after], "standard page: ret where %s resumes".formatted(e));
            assertEquals(RET, kvm[after], "kvm page: ret where %s resumes".formatted(e));
            assertEquals(e, KvmHypercallPage.exitEndingAt(e.stubEnd()));
        }
        int[] entries = {0, BootProtocol.HYPERCALL_PAGE_HALT, BootProtocol.HYPERCALL_PAGE_OUTB, BootProtocol.HYPERCALL_PAGE_OUTW,
                BootProtocol.HYPERCALL_PAGE_OUTL, HvConstants.HYPERCALL_PAGE_VTL_CALL32 + 7};
        for (int entry : entries) {
            assertEquals((byte) 0xEB, kvm[entry], "jmp rel8 at 0x" + Integer.toHexString(entry));
            int target = entry + 2 + kvm[entry + 1];
            assertNotNull(KvmHypercallPage.exits().stream().filter(e -> e.stub() == target).findFirst().orElse(null),
                    "entry 0x%x jumps to a stub".formatted(entry));
        }
    }

    @Test
    void eachStubStoresToItsOwnDoorbellOfTheRightSize() {
        List<KvmHypercallPage.ExitPoint> exits = KvmHypercallPage.exits();
        assertEquals(5 + 4, exits.size(), "five VMCALL places and four Parvis entries");
        for (KvmHypercallPage.ExitPoint e : exits) {
            byte[] s = e.stubBytes();
            long address = 0;
            for (int i = 0; i < 8; i++) {
                address |= (s[s.length - 8 + i] & 0xFFL) << (8 * i);
            }
            assertEquals(e.doorbell(), address, e.kind() + " doorbell");
            int opcode = s[s.length - 9] & 0xFF;
            assertEquals(e.accessSize() == 1 ? 0xA2 : 0xA3, opcode, e.kind() + " store opcode");
            assertEquals(e.accessSize() == 2, s.length == 10, e.kind() + " operand-size prefix");
        }
    }
}
