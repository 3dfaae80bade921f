package dev.parvis.e2e.vm;

import dev.parvis.e2e.GuestHarness;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.e2e.OnEachBackend;
import dev.parvis.root.config.AutomaticStartAction;
import dev.parvis.root.config.AutomaticStopAction;
import dev.parvis.root.config.ConfigStore;
import dev.parvis.root.vm.VmHost;
import dev.parvis.root.vm.VmManagementService;
import dev.parvis.root.vm.VmState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host honours automatic start and stop actions across host processes, and reports bad configs untouched. */
@OnEachBackend
class VmHostTest {
    @TempDir
    Path dataDir;

    private VmHost host() {
        return VmHost.start(new VmHost.Options(dataDir, GuestHarness.guestsDir(), 128L << 20, dev.parvis.e2e.BackendUnderTest.choice()));
    }

    @Test
    void automaticStartAndStopActionsAreHonouredByTheNextHost() throws Exception {
        UUID auto;
        UUID ifRunning;
        UUID idle;
        try (VmHost first = host()) {
            VmManagementService s = first.service();
            auto = s.create(VmFixture.counterVm("auto", 16).withAutomaticStartAction(AutomaticStartAction.START)
                    .withAutomaticStopAction(AutomaticStopAction.SAVE)).id();
            ifRunning = s.create(VmFixture.counterVm("if-running", 16).withAutomaticStartAction(AutomaticStartAction.START_IF_RUNNING)
                    .withAutomaticStopAction(AutomaticStopAction.TURN_OFF)).id();
            idle = s.create(VmFixture.counterVm("idle", 16).withAutomaticStartAction(AutomaticStartAction.START_IF_RUNNING)).id();
            VmFixture.await(s.start(ifRunning));
        }
        ConfigStore store = new ConfigStore(dataDir);
        assertTrue(Files.notExists(store.savedStatePath(auto)), "auto was never started");
        Path corrupt = store.vmDirectory(UUID.randomUUID()).resolve("vm.json");
        Files.createDirectories(corrupt.getParent());
        Files.writeString(corrupt, "{ not json");

        try (VmHost second = host()) {
            VmManagementService s = second.service();
            assertInstanceOf(VmState.Running.class, s.get(auto).orElseThrow().state(), "START starts it");
            assertInstanceOf(VmState.Running.class, s.get(ifRunning).orElseThrow().state(), "it was running when the host stopped");
            assertInstanceOf(VmState.Off.class, s.get(idle).orElseThrow().state(), "it was not running");
            assertEquals(1, second.problems().size(), second.problems().toString());
            assertTrue(second.problems().getFirst().contains(corrupt.toString()), second.problems().toString());
            System.out.println("host: reported " + second.problems());
        }
        assertEquals("{ not json", Files.readString(corrupt), "a corrupt config is never rewritten");
        assertTrue(Files.isRegularFile(store.savedStatePath(auto)), "SAVE saved it when the host closed");
        assertTrue(Files.notExists(store.savedStatePath(ifRunning)), "TURN_OFF turned it off");

        try (VmHost third = host()) {
            VmManagementService s = third.service();
            assertInstanceOf(VmState.Running.class, s.get(auto).orElseThrow().state(), "START restores the saved VM");
            assertTrue(Files.notExists(store.savedStatePath(auto)));
            assertInstanceOf(VmState.Running.class, s.get(ifRunning).orElseThrow().state(),
                    "still recorded as running before the host's TURN_OFF");
        }
    }
}
