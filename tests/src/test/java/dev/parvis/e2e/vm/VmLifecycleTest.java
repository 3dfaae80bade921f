package dev.parvis.e2e.vm;

import static dev.parvis.e2e.vm.VmFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.e2e.OnEachBackend;
import dev.parvis.root.config.VmConfig;
import dev.parvis.root.vm.IllegalVmStateException;
import dev.parvis.root.vm.VmEvent;
import dev.parvis.root.vm.VmManagementService;
import dev.parvis.root.vm.VmRequest;
import dev.parvis.root.vm.VmState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A VM running the counter guest walks every legal transition; in each state every request the
 * state does not take is refused with an IllegalVmStateException naming the state; an event
 * arrives for each transition.
 */
@OnEachBackend
class VmLifecycleTest {
    @TempDir
    Path dataDir;

    @Test
    void aCounterVmWalksEveryLegalTransitionAndIsRefusedEverythingElse() throws Exception {
        try (VmFixture f = new VmFixture(dataDir, 96L << 20)) {
            VmManagementService s = f.service;
            VmConfig config = s.create(VmFixture.counterVm("counter-life", 16)).config();
            UUID id = config.id();

            refused(s, id, "Off", new VmRequest.Stop(), new VmRequest.TurnOff(), new VmRequest.Pause(), new VmRequest.Resume(),
                    new VmRequest.Save());

            assertInstanceOf(VmState.Running.class, await(s.start(id)));
            long gpa = f.counterGpa(id);
            long c0 = f.awaitCounterAbove(id, gpa, 1000);
            refused(s, id, "Running", new VmRequest.Start(), new VmRequest.Resume(), new VmRequest.Delete());

            long control = f.counter(id, gpa);
            Thread.sleep(150);
            assertTrue(f.counter(id, gpa) > control, "control window: the running counter moves in 150 ms");
            assertInstanceOf(VmState.Paused.class, await(s.pause(id)));
            long frozen = f.counter(id, gpa);
            assertTrue(frozen >= c0);
            Thread.sleep(150);
            assertEquals(frozen, f.counter(id, gpa), "a paused VM's counter does not move");
            refused(s, id, "Paused", new VmRequest.Start(), new VmRequest.Pause(), new VmRequest.Delete());

            assertInstanceOf(VmState.Running.class, await(s.resume(id)));
            long resumed = f.awaitCounterAbove(id, gpa, frozen);
            System.out.printf("lifecycle: counter %d before pause, frozen at %d, %d after resume%n", c0, frozen, resumed);

            long beforeSave = f.counter(id, gpa);
            assertInstanceOf(VmState.Saved.class, await(s.save(id)));
            Path savedState = f.store.savedStatePath(id);
            assertTrue(Files.isRegularFile(savedState), "saved.state written");
            System.out.printf("lifecycle: saved at counter >= %d, saved.state %d bytes%n", beforeSave, Files.size(savedState));
            refused(s, id, "Saved", new VmRequest.Stop(), new VmRequest.TurnOff(), new VmRequest.Pause(), new VmRequest.Resume(),
                    new VmRequest.Save());
            assertThrows(IllegalVmStateException.class, () -> f.counter(id, gpa), "a saved VM has no memory to read");

            assertInstanceOf(VmState.Running.class, await(s.start(id)));
            long restored = f.counter(id, gpa);
            assertTrue(restored >= beforeSave, "restored counter " + restored + " continues from " + beforeSave);
            long after = f.awaitCounterAbove(id, gpa, restored);
            assertFalse(Files.exists(savedState), "saved state deleted after a successful restore");
            System.out.printf("lifecycle: restored at %d, then %d%n", restored, after);

            assertInstanceOf(VmState.Off.class, await(s.stop(id)));
            refused(s, id, "Off", new VmRequest.Pause(), new VmRequest.Save());
            assertInstanceOf(VmState.Running.class, await(s.start(id)));
            f.awaitCounterAbove(id, f.counterGpa(id), 0);
            assertInstanceOf(VmState.Off.class, await(s.turnOff(id)));
            await(s.delete(id));
            assertTrue(s.get(id).isEmpty());
            assertFalse(Files.exists(f.store.vmDirectory(id)), "configuration deleted");

            List<String> expected = List.of("Off->Starting", "Starting->Running", "Running->Paused", "Paused->Running",
                    "Running->Saving", "Saving->Saved", "Saved->Starting", "Starting->Running", "Running->Stopping",
                    "Stopping->Off", "Off->Starting", "Starting->Running", "Running->Stopping", "Stopping->Off");
            f.awaitEvents(() -> f.events.stream().anyMatch(e -> e instanceof VmEvent.Removed));
            assertEquals(expected, f.transitions(id));
            assertTrue(f.events.stream().anyMatch(e -> e instanceof VmEvent.Notice n && n.message().contains("turned off")),
                    "Stop-VM says it turned the VM off");
        }
    }

    private static void refused(VmManagementService s, UUID id, String state, VmRequest... requests) {
        for (VmRequest r : requests) {
            IllegalVmStateException e = assertThrows(IllegalVmStateException.class, () -> await(s.request(id, r)),
                    r.operation() + " in " + state);
            assertEquals(state, VmFixture.name(e.state()));
            assertTrue(e.getMessage().contains(state) && e.getMessage().contains(r.operation()), e.getMessage());
        }
    }
}
