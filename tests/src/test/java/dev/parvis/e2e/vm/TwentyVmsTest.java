package dev.parvis.e2e.vm;

import static dev.parvis.e2e.vm.VmFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.parvis.e2e.OnEachBackend;
import dev.parvis.root.vm.VmState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Twenty 16 MiB counter VMs started at once on a 2-core machine all run, and all stop cleanly. */
@OnEachBackend
class TwentyVmsTest {
    private static final int VMS = 20;

    @TempDir
    Path dataDir;

    @Test
    void twentyVmsStartedAtOnceAllRunAndAllStopCleanly() throws Exception {
        try (VmFixture f = new VmFixture(dataDir, 512L << 20)) {
            long freeBefore = f.hv.rootMemory().freePages();
            List<UUID> ids = new ArrayList<>();
            for (int i = 0; i < VMS; i++) {
                ids.add(f.service.create(VmFixture.counterVm("counter-%02d".formatted(i), 16)).id());
            }
            long t0 = System.nanoTime();
            List<CompletableFuture<VmState>> starts = ids.stream().map(f.service::start).toList();
            for (CompletableFuture<VmState> start : starts) {
                assertInstanceOf(VmState.Running.class, await(start));
            }
            long allRunning = System.nanoTime() - t0;
            for (UUID id : ids) {
                f.awaitCounterAbove(id, f.counterGpa(id), 0);
            }
            long allCounting = System.nanoTime() - t0;
            long t1 = System.nanoTime();
            List<CompletableFuture<VmState>> stops = ids.stream().map(f.service::stop).toList();
            for (CompletableFuture<VmState> stop : stops) {
                assertInstanceOf(VmState.Off.class, await(stop));
            }
            long allOff = System.nanoTime() - t1;
            System.out.printf("twenty VMs: all %d Running %.0f ms after the starts were issued, all counting at %.0f ms;"
                    + " all Off %.0f ms after the stops%n", VMS, allRunning / 1e6, allCounting / 1e6, allOff / 1e6);
            assertEquals(freeBefore, f.hv.rootMemory().freePages(), "every page of every VM is back in the root");
        }
    }
}
