package dev.parvis.e2e.storage;

import static dev.parvis.e2e.vm.VmFixture.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.devices.vhdx.CreateRequest;
import dev.parvis.devices.vhdx.VhdxCreator;
import dev.parvis.e2e.OnEachBackend;
import dev.parvis.e2e.vm.VmFixture;
import dev.parvis.root.config.DeviceConfig;
import dev.parvis.root.config.VmConfig;
import dev.parvis.root.vm.IllegalVmStateException;
import dev.parvis.root.vm.VmManagementService;
import dev.parvis.root.vm.VmState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Save-VM while the guest's disk requests are in flight: disk-verify writes its pattern over the
 * whole disk with 16 requests outstanding and reads it all back, and the VM is saved and restored
 * at random instants of both passes. Every request must complete exactly once (a lost one leaves
 * the guest waiting, a doubled one is an unmatched completion) and every byte must read back.
 */
@OnEachBackend
class SaveWithIoInFlightTest {
    private static final int SAVES = 6;
    private static final long DISK_BYTES = 64L << 20;

    @TempDir
    Path dataDir;
    @TempDir
    Path disks;

    @Test
    void requestsInFlightAtSaveCompleteExactlyOnceAndEveryByteReadsBack() throws Exception {
        Path disk = disks.resolve("verify.vhdx");
        VhdxCreator.create(disk, CreateRequest.dynamic(DISK_BYTES));
        long seed = Long.getLong("parvis.test.seed", System.nanoTime());
        Random random = new Random(seed);
        StringBuffer console = new StringBuffer();
        try (VmFixture f = new VmFixture(dataDir, 128L << 20)) {
            f.hv.setDebugListener((pid, data) -> console.append(new String(data, StandardCharsets.ISO_8859_1)));
            VmManagementService s = f.service;
            UUID id = s.create(VmConfig.create("inflight", "disk-verify").withMemoryMiB(32)
                    .withDevices(List.of(new DeviceConfig.Disk(disk.toString())))).config().id();
            assertInstanceOf(VmState.Running.class, await(s.start(id)));
            awaitConsole(console, "disk-verify: seed");
            int duringIo = 0;
            for (int i = 0; i < SAVES && !console.toString().contains("verdict"); i++) {
                Thread.sleep(random.nextInt(40));
                boolean passesRunning = !console.toString().contains("verdict");
                try {
                    await(s.save(id));
                } catch (IllegalVmStateException e) {
                    break; // the guest finished and powered off in between
                }
                duringIo += passesRunning ? 1 : 0;
                assertInstanceOf(VmState.Running.class, await(s.start(id)));
            }
            awaitConsole(console, "verdict");
            String out = console.toString();
            System.out.printf("save with I/O in flight: %d saves during the passes (seed %d); guest: %s%n", duringIo, seed,
                    out.lines().filter(l -> l.contains("checked") || l.contains("verdict")).toList());
            assertTrue(duringIo >= 2, "at least two saves landed while the guest's passes ran (" + duringIo + "), seed " + seed);
            assertTrue(out.contains(" 0 wrong bytes in 0 chunks, 0 failed requests, 0 unmatched completions"), out);
            assertTrue(out.contains(DISK_BYTES + " bytes checked"), out);
            assertTrue(out.contains("verdict PASS"), out);
            assertFalse(out.contains("verdict FAIL"), out);
        }
    }

    private static void awaitConsole(StringBuffer console, String text) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!console.toString().contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the guest never printed '" + text + "' (a request lost in a save leaves it waiting): " + console);
            }
            Thread.sleep(5);
        }
    }
}
