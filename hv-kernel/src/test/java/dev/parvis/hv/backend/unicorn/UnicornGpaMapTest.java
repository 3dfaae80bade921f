package dev.parvis.hv.backend.unicorn;

import dev.parvis.hv.backend.GuestMemoryRegion;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;

import static dev.parvis.hv.backend.GuestMemoryRegion.EXECUTE;
import static dev.parvis.hv.backend.GuestMemoryRegion.READ;
import static dev.parvis.hv.backend.GuestMemoryRegion.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The GPA map diff, without libunicorn. */
class UnicornGpaMapTest {
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment a = arena.allocate(8192, 4096);
    private final MemorySegment b = arena.allocate(4096, 4096);

    @Test
    void identicalMapIsAnEmptyPlan() {
        var r = new GuestMemoryRegion(0, a, READ | WRITE);
        assertTrue(UnicornGpaMap.plan(Map.of(0L, r), List.of(r)).isEmpty());
    }

    @Test
    void newRegionIsMappedAndMissingOneUnmapped() {
        var old = new GuestMemoryRegion(0x10000, b, READ);
        var fresh = new GuestMemoryRegion(0, a, READ | WRITE | EXECUTE);
        var plan = UnicornGpaMap.plan(Map.of(old.gpa(), old), List.of(fresh));
        assertEquals(List.of(old), plan.unmap());
        assertEquals(List.of(fresh), plan.map());
        assertTrue(plan.protect().isEmpty());
    }

    @Test
    void rightsOnlyChangeIsAProtect() {
        var rw = new GuestMemoryRegion(0, a, READ | WRITE);
        var ro = new GuestMemoryRegion(0, a, READ);
        var plan = UnicornGpaMap.plan(Map.of(0L, rw), List.of(ro));
        assertEquals(List.of(ro), plan.protect());
        assertTrue(plan.unmap().isEmpty() && plan.map().isEmpty());
    }

    @Test
    void changedBackingOrSizeIsUnmapThenMap() {
        var before = new GuestMemoryRegion(0, a, READ);
        var otherBacking = new GuestMemoryRegion(0, b, READ);
        var plan = UnicornGpaMap.plan(Map.of(0L, before), List.of(otherBacking));
        assertEquals(List.of(before), plan.unmap());
        assertEquals(List.of(otherBacking), plan.map());
        var smaller = new GuestMemoryRegion(0, a.asSlice(0, 4096), READ);
        var plan2 = UnicornGpaMap.plan(Map.of(0L, before), List.of(smaller));
        assertEquals(List.of(before), plan2.unmap());
        assertEquals(List.of(smaller), plan2.map());
    }

    @Test
    void protectionBitsAreUnicornProt() {
        assertEquals(UnicornAbi.UC_PROT_READ | UnicornAbi.UC_PROT_EXEC, UnicornAbi.protection(READ | EXECUTE));
        assertEquals(UnicornAbi.UC_PROT_WRITE, UnicornAbi.protection(WRITE));
        assertEquals(0, UnicornAbi.protection(0));
    }
}
