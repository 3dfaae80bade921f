package dev.parvis.hv.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.hv.backend.GuestMemoryRegion;
import dev.parvis.vmcore.GuestMemoryView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Grants onto a child's pages end when the pages leave, whether one leaves or the whole RAM does. */
class GrantTableTest {
    private static final int RW = GuestMemoryRegion.READ | GuestMemoryRegion.WRITE;
    private final SpaPool pool = new SpaPool(64 * 4096);
    private GrantTable grants;
    private GpaMap child;
    private GpaMap other;

    GrantTableTest() {
        grants = new GrantTable(pool, id -> id == 1 ? child : id == 2 ? other : null, id -> true);
        child = new GpaMap(pool, grants.listenerFor(1));
        other = new GpaMap(pool, grants.listenerFor(2));
        for (int gpn = 0; gpn < 8; gpn++) {
            child.map(gpn, 10 + gpn, RW);
            other.map(gpn, 30 + gpn, RW);
        }
    }

    @AfterEach
    void close() {
        pool.close();
    }

    @Test
    void aPartitionsWholeRamLeavingRevokesItsGrantsAndNoOnesElse() {
        GuestMemoryView ring = grants.open(1, new long[] {2, 3});
        GuestMemoryView buffer = grants.open(1, new long[] {7});
        GuestMemoryView neighbours = grants.open(2, new long[] {2, 3});
        assertArrayEquals(new long[] {10, 11, 12, 13, 14, 15, 16, 17}, child.unmapAll());
        assertTrue(ring.isRevoked());
        assertTrue(buffer.isRevoked());
        assertFalse(neighbours.isRevoked(), "the same GPNs of another partition stay granted");
    }

    @Test
    void onePageLeavingRevokesOnlyTheGrantsThatCoverIt() {
        GuestMemoryView covering = grants.open(1, new long[] {4, 5});
        GuestMemoryView beside = grants.open(1, new long[] {6});
        child.unmap(5);
        assertTrue(covering.isRevoked());
        assertFalse(beside.isRevoked());
    }
}
