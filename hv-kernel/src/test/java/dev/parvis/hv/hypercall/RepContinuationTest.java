package dev.parvis.hv.hypercall;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parvis.abi.hv.HvCallCode;
import dev.parvis.abi.hv.HvRegisterName;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.HypercallControl;
import dev.parvis.abi.hv.HypercallResult;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * A guest rep call longer than one pass: the kernel stops after {@link HypercallContext#MAX_REPS_PER_PASS}
 * elements, rewrites RCX with the new start index and re-executes the VMCALL, so the guest sees one
 * complete call.
 */
class RepContinuationTest {
    private static final int REPS = 200;

    /** mov rcx, control; mov rdx, 0x101000; mov r8, 0x102000; call the hypercall page; hlt. */
    private static byte[] code(long control) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x48, (byte) 0xB9}).putLong(control);
        b.put(new byte[] {0x48, (byte) 0xBA}).putLong(0x101000);
        b.put(new byte[] {0x49, (byte) 0xB8}).putLong(0x102000);
        KernelRig.callHypercallPage(b);
        b.put((byte) 0xF4);
        return b.array();
    }

    @Test
    void aLongRepCallCompletesAcrossPassesWithoutTheGuestNoticing() throws Exception {
        try (KernelRig rig = new KernelRig()) {
            long control = HypercallControl.rep(HvCallCode.GET_VP_REGISTERS, REPS).encode();
            long id = rig.childRunning(code(control), 2, child -> {
                // Input page: header {self, VP self} then REPS register names, all R9.
                byte[] input = new byte[16 + 4 * REPS];
                ByteBuffer in = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
                in.putLong(-1L).putInt(0xFFFF_FFFE).putInt(0);
                for (int i = 0; i < REPS; i++) {
                    in.putInt(HvRegisterName.R9.raw());
                }
                for (int off = 0; off < input.length; off += 16) {
                    rig.hc.writeGpa(child, 0x101000 + off, java.util.Arrays.copyOfRange(input, off, Math.min(input.length, off + 16)));
                }
                rig.hc.setVpRegister(child, 0, HvRegisterName.R9, 0xABCD_0000_1234L);
            });
            KernelRig.await(() -> rig.vp(id).isHalted(), "the guest to halt after its call");
            HypercallResult result = HypercallResult.decode(rig.hc.getVpRegister(id, 0, HvRegisterName.RAX));
            assertEquals(HvStatus.SUCCESS, result.status());
            assertEquals(REPS, result.repsCompleted());
            assertEquals(2, rig.vp(id).hypercallCount(), "two passes of at most 128 elements");
            for (int i = 0; i < REPS; i++) {
                byte[] value = rig.hc.readGpa(id, 0x102000 + 16L * i, 8);
                assertEquals(0xABCD_0000_1234L, ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getLong(), "element " + i);
            }
        }
    }
}
