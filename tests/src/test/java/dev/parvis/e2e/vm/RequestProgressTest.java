package dev.parvis.e2e.vm;

import static dev.parvis.e2e.vm.VmFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.e2e.OnEachBackend;
import dev.parvis.root.vm.VmRequest;
import dev.parvis.root.vm.VmState;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start, save and restore report their progress at their real steps: several values strictly
 * between 0 and 100, never decreasing, 100 last; a refused request reports nothing.
 */
@OnEachBackend
class RequestProgressTest {
    @TempDir
    Path dataDir;

    @Test
    void startSaveAndRestoreReportGrowingProgressEndingAtOneHundred() throws Exception {
        try (VmFixture f = new VmFixture(dataDir, 96L << 20)) {
            UUID id = f.service.create(VmFixture.counterVm("progress", 16)).config().id();
            List<Integer> start = run(f, id, new VmRequest.Start(), VmState.Running.class);
            f.awaitCounterAbove(id, f.counterGpa(id), 100);
            List<Integer> save = run(f, id, new VmRequest.Save(), VmState.Saved.class);
            List<Integer> restore = run(f, id, new VmRequest.Start(), VmState.Running.class);
            System.out.printf("progress: start %s, save %s, restore %s%n", start, save, restore);
            assertTrue(save.stream().filter(p -> p > 20 && p < 70).count() >= 5, "save reports page-copy progress: " + save);
            List<Integer> refused = new CopyOnWriteArrayList<>();
            assertTrue(f.service.request(id, new VmRequest.Start(), refused::add).handle((s, e) -> e != null).get());
            assertEquals(List.of(), refused, "a refused request reports no progress");
        }
    }

    private static List<Integer> run(VmFixture f, UUID id, VmRequest request, Class<? extends VmState> expected) throws Exception {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        assertInstanceOf(expected, await(f.service.request(id, request, seen::add)));
        assertEquals(100, seen.getLast(), request + ": " + seen);
        assertTrue(seen.stream().filter(p -> p > 0 && p < 100).count() >= 3, request + " reports steps between 0 and 100: " + seen);
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i) >= seen.get(i - 1), request + " never goes back: " + seen);
        }
        return List.copyOf(seen);
    }
}
