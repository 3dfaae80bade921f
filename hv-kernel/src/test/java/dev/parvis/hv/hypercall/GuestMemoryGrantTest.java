package dev.parvis.hv.hypercall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.hv.HvMapGpaFlags;
import dev.parvis.vmcore.GrantRefusedException;
import dev.parvis.vmcore.GuestMemoryView;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The root's only way into a child's pages: checked when opened, revoked when a page leaves the child. */
class GuestMemoryGrantTest {
    private static final int RW = HvMapGpaFlags.READABLE | HvMapGpaFlags.WRITABLE;
    private final KernelRig rig = new KernelRig();

    @AfterEach
    void close() {
        rig.close();
    }

    @Test
    void aGrantSeesTheChildsBytesAndIsContiguousWhenThePagesAre() {
        long id = rig.initializedChild();
        rig.hc.mapGpaPages(id, 0x40, RW, rig.hv.rootMemory().allocate(4));
        rig.hc.writeGpa(id, 0x41_010, new byte[] {9, 8, 7});
        try (GuestMemoryView view = rig.hv.grants().open(id, new long[] {0x40, 0x41, 0x42, 0x43})) {
            assertEquals(9, view.page(1).get(ValueLayout.JAVA_BYTE, 0x10));
            assertNotNull(view.contiguous());
            assertEquals(8, view.contiguous().get(ValueLayout.JAVA_BYTE, 0x1011));
        }
        try (GuestMemoryView view = rig.hv.grants().open(id, new long[] {0x43, 0x40})) {
            assertNull(view.contiguous(), "out of order pages are not one host run");
        }
    }

    @Test
    void pagesTheChildCannotWriteOrDoesNotHaveAreRefused() {
        long id = rig.initializedChild();
        rig.hc.mapGpaPages(id, 0x40, HvMapGpaFlags.READABLE, rig.hv.rootMemory().allocate(1));
        assertThrows(GrantRefusedException.class, () -> rig.hv.grants().open(id, new long[] {0x40}));
        assertThrows(GrantRefusedException.class, () -> rig.hv.grants().open(id, new long[] {0x41}));
        assertThrows(GrantRefusedException.class, () -> rig.hv.grants().open(id + 100, new long[] {0x40}));
        assertThrows(GrantRefusedException.class, () -> rig.hv.grants().open(id, new long[] {-1}));
    }

    @Test
    void unmappingAPageRevokesEveryGrantOfItBeforeThePageIsReused() {
        long id = rig.initializedChild();
        rig.hc.mapGpaPages(id, 0x40, RW, rig.hv.rootMemory().allocate(2));
        GuestMemoryView view = rig.hv.grants().open(id, new long[] {0x40, 0x41});
        AtomicInteger revoked = new AtomicInteger();
        view.onRevoke(revoked::incrementAndGet);
        rig.hc.unmapGpaPages(id, 0x41, 1);
        assertTrue(view.isRevoked());
        assertEquals(1, revoked.get());
        assertThrows(IllegalStateException.class, () -> view.page(0).get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void deletingThePartitionRevokesItsGrants() {
        long id = rig.initializedChild();
        rig.hc.mapGpaPages(id, 0x40, RW, rig.hv.rootMemory().allocate(1));
        GuestMemoryView view = rig.hv.grants().open(id, new long[] {0x40});
        rig.hc.deletePartition(id);
        assertTrue(view.isRevoked());
        assertThrows(GrantRefusedException.class, () -> rig.hv.grants().open(id, new long[] {0x40}));
    }
}
