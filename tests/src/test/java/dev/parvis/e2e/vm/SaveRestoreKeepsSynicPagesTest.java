package dev.parvis.e2e.vm;

import static dev.parvis.e2e.vm.VmFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.parvis.e2e.OnEachBackend;
import dev.parvis.root.config.VmConfig;
import dev.parvis.root.vm.VmState;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A message the root posted to a paused VM sits in the VP's SIM page (an overlay page, not guest
 * RAM) when the VM is saved; after the restore the guest finds it there and answers it.
 */
@OnEachBackend
class SaveRestoreKeepsSynicPagesTest {
    @TempDir
    Path dataDir;

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static long awaitReply(VmFixture f, UUID id, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + VmFixture.TIMEOUT.toNanos();
        long last = -1;
        while (System.nanoTime() < deadline) {
            Optional<byte[]> m = f.service.lastGuestMessage(id);
            if (m.isPresent() && m.get().length >= 8) {
                last = ByteBuffer.wrap(m.get()).order(ByteOrder.LITTLE_ENDIAN).getLong();
                if (last == expected) {
                    return last;
                }
            }
            Thread.sleep(5);
        }
        return last;
    }

    @Test
    void aMessageWaitingInTheSimPageAtSaveIsThereAfterRestore() throws Exception {
        try (VmFixture f = new VmFixture(dataDir, 64L << 20)) {
            UUID id = f.service.create(VmConfig.create("spinner", "spin").withMemoryMiB(8)).id();
            assertInstanceOf(VmState.Running.class, await(f.service.start(id)));
            f.service.postGuestMessage(id, u64(1_000));
            assertEquals(1_000, awaitReply(f, id, 1_000), "the guest answers requests");

            assertInstanceOf(VmState.Paused.class, await(f.service.pause(id)));
            f.service.postGuestMessage(id, u64(4_242)); // lands in the SIM slot; the guest cannot take it yet
            assertInstanceOf(VmState.Saved.class, await(f.service.save(id)));
            assertInstanceOf(VmState.Running.class, await(f.service.start(id)));
            assertEquals(4_242, awaitReply(f, id, 4_242), "the message saved in the SIM page was answered after the restore");
            f.service.postGuestMessage(id, u64(7));
            assertEquals(7, awaitReply(f, id, 7), "and the SynIC works on");
        }
    }
}
