package dev.parvis.hv.hypercall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.parvis.abi.hv.HvMapGpaFlags;
import dev.parvis.vmcore.GrantRefusedException;
import dev.parvis.vmcore.GuestRamWindow;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A device data path's window onto a child's RAM: checked per resolve, revoked by epoch, no grant per request. */
class GuestRamWindowTest {
    private static final int RW = HvMapGpaFlags.READABLE | HvMapGpaFlags.WRITABLE;
    private final KernelRig rig = new KernelRig();

    @AfterEach
    void close() {
        rig.close();
    }

    @Test
    void resolvedPagesAreTheChildsBytesAndHostContiguousPagesFormOneRun() {
        long id = rig.initializedChild();
        rig.hc.mapGpaPages(id, 0x40, RW, rig.hv.rootMemory().allocate(3));
        rig.hc.writeGpa(id, 0x41_020, new byte[] {5, 6});
        try (GuestRamWindow window = rig.hv.grants().openWindow(id)) {
            MemorySegment[] pages = window.resolve(new long[] {0x40, 0x41, 0x42}, 0, 3);
            assertEquals(3 * 4096, pages[0].byteSize(), "the run starting at page 0 covers all three");
            assertEquals(5, pages[1].get(ValueLayout.JAVA_BYTE, 0x20));
            assertEquals(6, pages[0].get(ValueLayout.JAVA_BYTE, 0x1021));
            pages[2].set(ValueLayout.JAVA_BYTE, 7, (byte) 42);
            assertEquals(42, rig.hc.readGpa(id, 0x42_007, 1)[0]);
        }
    }

    @Test
    void pagesTheChildCannotWriteOrDoesNotHaveAreRefused() {
        long id = rig.initializedChild();
        rig.hc.mapGpaPages(id, 0x40, HvMapGpaFlags.READABLE, rig.hv.rootMemory().allocate(1));
        try (GuestRamWindow window = rig.hv.grants().openWindow(id)) {
            assertThrows(GrantRefusedException.class, () -> window.resolve(new long[] {0x40}, 0, 1));
            assertThrows(GrantRefusedException.class, () -> window.resolve(new long[] {0x41}, 0, 1));
            assertThrows(GrantRefusedException.class, () -> window.resolve(new long[] {-1}, 0, 1));
            assertThrows(GrantRefusedException.class, () -> window.resolve(new long[] {1L << 40}, 0, 1));
            assertThrows(GrantRefusedException.class, () -> window.resolve(new long[] {0x40}, 1, 1));
        }
        assertThrows(GrantRefusedException.class, () -> rig.hv.grants().openWindow(id + 100));
    }

    @Test
    void unmappingAnyPageKillsTheSegmentsResolvedBeforeAndANewResolveWorksOnWhatRemains() {
        long id = rig.initializedChild();
        rig.hc.mapGpaPages(id, 0x40, RW, rig.hv.rootMemory().allocate(2));
        try (GuestRamWindow window = rig.hv.grants().openWindow(id)) {
            MemorySegment before = window.resolve(new long[] {0x40}, 0, 1)[0];
            rig.hc.unmapGpaPages(id, 0x41, 1);
            assertThrows(IllegalStateException.class, () -> before.get(ValueLayout.JAVA_BYTE, 0));
            assertThrows(GrantRefusedException.class, () -> window.resolve(new long[] {0x41}, 0, 1));
            MemorySegment after = window.resolve(new long[] {0x40}, 0, 1)[0];
            after.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
        }
    }

    @Test
    void aClosedWindowsSegmentsAreDeadAndItResolvesNothing() {
        long id = rig.initializedChild();
        rig.hc.mapGpaPages(id, 0x40, RW, rig.hv.rootMemory().allocate(1));
        GuestRamWindow window = rig.hv.grants().openWindow(id);
        MemorySegment page = window.resolve(new long[] {0x40}, 0, 1)[0];
        window.close();
        window.close();
        assertThrows(IllegalStateException.class, () -> page.get(ValueLayout.JAVA_BYTE, 0));
        assertThrows(IllegalStateException.class, () -> window.resolve(new long[] {0x40}, 0, 1));
    }
}
