package dev.parvis.hv.hypercall;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parvis.abi.hv.HvRegisterName;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * A guest preempted thousands of times in the middle of stack-heavy code must resume exactly where
 * it stopped: no instruction lost, none executed twice (an extra push or a lost pop shows up in RSP).
 */
class PreemptionPreservesGuestStateTest {
    private static final long ITERATIONS = 1_000_000;

    /**
     * mov rcx, 0; mov rsp, 0x103000; loop: push rax; push rbx; mov [rsp+8], rcx; add qword [0x102000], 1;
     * pop rbx; pop rax; inc rcx; cmp rcx, N; jb loop; hlt.
     */
    private static byte[] code() {
        ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x48, 0x31, (byte) 0xC9});                                   // xor rcx, rcx
        b.put(new byte[] {0x48, (byte) 0xBC}).putLong(0x103000);                        // mov rsp, 0x103000
        b.put(new byte[] {0x49, (byte) 0xB8}).putLong(ITERATIONS);                      // mov r8, N
        int loop = b.position();
        b.put(new byte[] {0x50, 0x53});                                                 // push rax; push rbx
        b.put(new byte[] {0x48, (byte) 0x89, 0x4C, 0x24, 0x08});                        // mov [rsp+8], rcx
        b.put(new byte[] {0x48, (byte) 0x83, 0x04, 0x25, 0x00, 0x20, 0x10, 0x00, 0x01}); // add qword [0x102000], 1
        b.put(new byte[] {0x5B, 0x58});                                                 // pop rbx; pop rax
        b.put(new byte[] {0x48, (byte) 0xFF, (byte) 0xC1});                             // inc rcx
        b.put(new byte[] {0x4C, 0x39, (byte) 0xC1});                                    // cmp rcx, r8
        int jne = b.position();
        b.put(new byte[] {0x72, (byte) (loop - (jne + 2))});                            // jb loop
        b.put((byte) 0xF4);                                                             // hlt
        return b.array();
    }

    @Test
    void aGuestPreemptedManyTimesLosesAndRepeatsNoInstruction() throws Exception {
        try (KernelRig rig = new KernelRig()) {
            long id = rig.childRunning(code(), 3, child -> { });
            // Extra kicks on top of the 10 ms slices: every kick ends a run mid-loop.
            Thread kicker = Thread.ofPlatform().daemon(true).start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    rig.vp(id).engine().kick();
                    java.util.concurrent.locks.LockSupport.parkNanos(50_000);
                }
            });
            try {
                KernelRig.await(() -> rig.vp(id).isHalted(), "the loop to finish");
            } catch (AssertionError e) {
                kicker.interrupt();
                long[] r = rig.hc.getVpRegisters(id, 0, HvRegisterName.RIP, HvRegisterName.RCX, HvRegisterName.RSP);
                throw new AssertionError(e.getMessage() + ": rip=0x%x rcx=%d rsp=0x%x suspended=%s exits=%d".formatted(
                        r[0], r[1], r[2], rig.vp(id).interceptSuspended(), rig.vp(id).exitCount()), e);
            } finally {
                kicker.interrupt();
            }
            long[] regs = rig.hc.getVpRegisters(id, 0, HvRegisterName.RCX, HvRegisterName.RSP);
            assertEquals(ITERATIONS, regs[0], "loop counter");
            assertEquals(0x103000, regs[1], "stack pointer: a repeated push or a lost pop moves it");
            byte[] counter = rig.hc.readGpa(id, 0x102000, 8);
            assertEquals(ITERATIONS, ByteBuffer.wrap(counter).order(ByteOrder.LITTLE_ENDIAN).getLong(), "memory counter");
            System.out.println("exits during the loop: " + rig.vp(id).exitCount());
        }
    }
}
