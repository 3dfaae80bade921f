package dev.parvis.e2e.vm;

import static dev.parvis.e2e.vm.VmFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.root.vm.InsufficientHostMemoryException;
import dev.parvis.root.vm.VmEvent;
import dev.parvis.root.vm.VmState;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A VM larger than the host pool fails to start with a clear error; the running VM is undisturbed. */
class MemoryAdmissionTest {
    @TempDir
    Path dataDir;

    @Test
    void aVmLargerThanThePoolIsRefusedAndTheRunningVmIsUndisturbed() throws Exception {
        try (VmFixture f = new VmFixture(dataDir, 64L << 20)) {
            UUID small = f.service.create(VmFixture.counterVm("small", 16)).id();
            UUID big = f.service.create(VmFixture.counterVm("big", 128)).id();
            assertInstanceOf(VmState.Running.class, await(f.service.start(small)));
            long gpa = f.counterGpa(small);
            long before = f.awaitCounterAbove(small, gpa, 0);
            long freeBefore = f.hv.rootMemory().freePages();

            InsufficientHostMemoryException e = assertThrows(InsufficientHostMemoryException.class, () -> await(f.service.start(big)));
            System.out.println("admission: " + e.getMessage());
            assertTrue(e.getMessage().contains("'big'") && e.getMessage().contains("128 MiB"), e.getMessage());

            assertInstanceOf(VmState.Off.class, f.service.get(big).orElseThrow().state(), "the refused VM stays Off");
            assertEquals(freeBefore, f.hv.rootMemory().freePages(), "nothing was allocated for the refused VM");
            assertInstanceOf(VmState.Running.class, f.service.get(small).orElseThrow().state());
            f.awaitCounterAbove(small, gpa, before);
            f.awaitEvents(() -> f.events.stream().anyMatch(ev -> ev instanceof VmEvent.Failed fl && fl.id().equals(big)));
            assertTrue(f.transitions(big).isEmpty(), "a refused start publishes no state change: " + f.transitions(big));
        }
    }
}
