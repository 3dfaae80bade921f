package dev.parvis.hv.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.hv.backend.GuestMemoryRegion;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GpaMapTest {
    private final SpaPool pool = new SpaPool(32 * 4096);
    private final GpaMap map = new GpaMap(pool);

    @AfterEach
    void close() {
        pool.close();
    }

    @Test
    void resolveHonoursRightsAndPageBounds() {
        map.map(0x10, 3, GuestMemoryRegion.READ);
        assertNotNull(map.resolve(0x10_008, 8, GuestMemoryRegion.READ));
        assertNull(map.resolve(0x10_008, 8, GuestMemoryRegion.WRITE), "no write right");
        assertNull(map.resolve(0x10_ffc, 8, GuestMemoryRegion.READ), "crosses into an unmapped page");
        assertNull(map.resolve(0x11_000, 8, GuestMemoryRegion.READ), "unmapped");
        assertNull(map.resolve(-8, 8, 0));
        assertNull(map.resolve(Long.MAX_VALUE - 4095, 8, 0));
    }

    @Test
    void regionsMergeContiguousPagesWithEqualRights() {
        int rw = GuestMemoryRegion.READ | GuestMemoryRegion.WRITE;
        for (int i = 0; i < 4; i++) {
            map.map(0x100 + i, 10 + i, rw);
        }
        map.map(0x104, 20, rw);
        map.map(0x105, 21, GuestMemoryRegion.READ);
        var regions = map.regions();
        assertEquals(3, regions.size());
        assertEquals(0x100_000, regions.get(0).gpa());
        assertEquals(4 * 4096, regions.get(0).size());
        assertEquals(GuestMemoryRegion.READ, regions.get(2).access());
    }

    @Test
    void unmapBumpsTheGenerationAndReturnsThePage() {
        map.map(5, 7, GuestMemoryRegion.READ);
        long generation = map.generation();
        assertEquals(7, map.unmap(5));
        assertEquals(-1, map.unmap(5));
        assertEquals(0, map.mappedPages());
        assertEquals(generation + 1, map.generation());
    }

    @Test
    void unmapAllHandsBackEveryRamPageTellsTheListenerOnceFirstAndLeavesOverlays() {
        List<long[]> told = new ArrayList<>();
        long[] mappedWhenTold = new long[1];
        GpaMap[] self = new GpaMap[1];
        GpaMap listened = new GpaMap(pool, new GpaMap.PageListener() {
            @Override
            public void pageLeaving(long gpn) {
                throw new AssertionError("one page at a time: " + gpn);
            }

            @Override
            public void pagesLeaving(long[] gpns) {
                told.add(gpns.clone());
                mappedWhenTold[0] = self[0].mappedPages();
            }
        });
        self[0] = listened;
        listened.map(9, 20, GuestMemoryRegion.READ);
        listened.map(3, 21, GuestMemoryRegion.READ);
        listened.map(4, 22, GuestMemoryRegion.READ);
        listened.overlay(4, 30, GuestMemoryRegion.READ);
        long generation = listened.generation();
        assertArrayEquals(new long[] {21, 22, 20}, listened.unmapAll(), "SPNs in ascending GPN order, the overlaid page's RAM too");
        assertEquals(1, told.size());
        assertArrayEquals(new long[] {3, 4, 9}, told.get(0));
        assertEquals(3, mappedWhenTold[0], "the listener heard before any page left");
        assertEquals(0, listened.mappedPages());
        assertEquals(-1, listened.spn(9));
        assertEquals(GuestMemoryRegion.READ, listened.guestAccess(4), "the overlay stays");
        assertTrue(listened.generation() > generation);
    }
}
