package dev.parvis.e2e.vm;

import static dev.parvis.e2e.vm.VmFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.root.config.VmConfig;
import dev.parvis.root.vm.VmEvent;
import dev.parvis.root.vm.VmState;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gcc-built guest that executes {@code F0 0F AB C8} (the lockbts guest) makes libunicorn abort. With
 * a well-behaved counter VM beside it: the hostile VM ends Failed with the emulator's reason, the
 * host JVM (this test) lives, the neighbour's counter keeps advancing after the failure, and the
 * neighbour still stops gracefully.
 */
class EmulatorContainmentTest {
    @TempDir
    Path dataDir;

    @Test
    void aGuestThatAbortsTheEmulatorEndsFailedAndItsNeighbourKeepsRunning() throws Exception {
        try (VmFixture f = new VmFixture(dataDir, 128L << 20)) {
            UUID good = f.service.create(VmFixture.counterVm("neighbour", 16)).id();
            UUID hostile = f.service.create(VmConfig.create("hostile", "lockbts").withMemoryMiB(16)).id();
            assertInstanceOf(VmState.Running.class, await(f.service.start(good)));
            long gpa = f.counterGpa(good);
            long before = f.awaitCounterAbove(good, gpa, 0);

            await(f.service.start(hostile));
            f.awaitEvents(() -> f.events.stream().anyMatch(e -> e instanceof VmEvent.Failed x && x.id().equals(hostile)));
            VmState state = f.service.get(hostile).orElseThrow().state();
            VmState.Failed failed = assertInstanceOf(VmState.Failed.class, state);
            System.out.println("hostile VM: " + failed.reason());
            assertTrue(failed.reason().contains("CPU emulator") && failed.reason().contains("SIGABRT"), failed.reason());

            long atFailure = f.counter(good, gpa);
            long after = f.awaitCounterAbove(good, gpa, Math.max(before, atFailure));
            System.out.printf("neighbour counter: %d before the hostile VM started, %d when it had failed, %d after%n",
                    before, atFailure, after);
            assertInstanceOf(VmState.Running.class, f.service.get(good).orElseThrow().state());
            assertInstanceOf(VmState.Off.class, await(f.service.stop(good)));
            assertEquals(VmState.Failed.class, f.service.get(hostile).orElseThrow().state().getClass());
        }
    }
}
