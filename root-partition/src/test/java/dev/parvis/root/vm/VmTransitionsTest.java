package dev.parvis.root.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parvis.root.config.DeviceConfig;
import dev.parvis.root.config.VmConfig;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VmTransitionsTest {
    private static final List<VmState> STATES = List.of(VmState.OFF, VmState.STARTING, VmState.RUNNING, VmState.PAUSED,
            VmState.SAVING, VmState.SAVED, VmState.STOPPING, new VmState.Failed("triple fault"));
    private static final Map<String, VmRequest> REQUESTS = Map.ofEntries(Map.entry("AttachDisk",
                    new VmRequest.AttachDisk(new DeviceConfig.Disk("/srv/d.vhdx"))), Map.entry("DetachDisk", new VmRequest.DetachDisk(0, 1)),
            Map.entry("Start", new VmRequest.Start()), Map.entry("Stop", new VmRequest.Stop()),
            Map.entry("TurnOff", new VmRequest.TurnOff()), Map.entry("Pause", new VmRequest.Pause()), Map.entry("Resume", new VmRequest.Resume()),
            Map.entry("Save", new VmRequest.Save()), Map.entry("Delete", new VmRequest.Delete()),
            Map.entry("Configure", new VmRequest.Configure(VmConfig.create("t", "counter"))));

    /** The table of the management model's §3.7, plus delete and configure. */
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "AttachDisk", Set.of("Off", "Failed", "Running", "Paused"),
            "DetachDisk", Set.of("Off", "Failed", "Running", "Paused"),
            "Start", Set.of("Off", "Saved"),
            "Stop", Set.of("Running", "Paused"),
            "TurnOff", Set.of("Running", "Paused", "Failed"),
            "Pause", Set.of("Running"),
            "Resume", Set.of("Paused"),
            "Save", Set.of("Running", "Paused"),
            "Delete", Set.of("Off", "Saved", "Failed"),
            "Configure", Set.of("Off", "Saved", "Failed", "Running", "Paused"));

    @Test
    void everyRequestIsAllowedExactlyInTheStatesOfTheTable() {
        for (var request : REQUESTS.entrySet()) {
            for (VmState state : STATES) {
                boolean expected = ALLOWED.get(request.getKey()).contains(state.getClass().getSimpleName());
                assertEquals(expected, VmTransitions.allowed(state, request.getValue()), request.getKey() + " in " + state);
            }
        }
    }

    @Test
    void statesReportThePublishedEnabledStateCodes() {
        assertEquals(2, VmState.RUNNING.code());
        assertEquals(3, VmState.OFF.code());
        assertEquals(6, VmState.SAVED.code());
        assertEquals(9, VmState.PAUSED.code());
        assertEquals(10, VmState.STARTING.code());
    }

    @Test
    void aRefusalNamesTheStateAndTheRequest() {
        IllegalVmStateException e = new IllegalVmStateException("web01", VmState.SAVED, "Suspend-VM");
        assertEquals(VmState.SAVED, e.state());
        assertEquals("VM 'web01' is Saved: Suspend-VM is not allowed in that state", e.getMessage());
    }
}
