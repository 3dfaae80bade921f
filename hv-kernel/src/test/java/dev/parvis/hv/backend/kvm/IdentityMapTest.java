package dev.parvis.hv.backend.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.parvis.hv.backend.GuestMemoryRegion;
import dev.parvis.hv.memory.GpaMap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The page tables translate exactly the map's pages, with its rights, and nothing else. */
class IdentityMapTest {
    private static final int R = GuestMemoryRegion.READ;
    private static final int W = GuestMemoryRegion.WRITE;
    private static final int X = GuestMemoryRegion.EXECUTE;

    private static GuestMemoryRegion region(Arena a, long gpa, long pages, int access) {
        return new GuestMemoryRegion(gpa, a.allocate(pages * 4096, 4096), access);
    }

    /** Walks the tables like the processor: the leaf entry for {@code address}, or 0 if not present. */
    private static long walk(MemorySegment tables, long base, long cr3, long address) {
        long entry = cr3 | 1;
        for (int level = 3; level >= 0; level--) {
            if ((entry & 1) == 0) {
                return 0;
            }
            long table = (entry & 0x000F_FFFF_FFFF_F000L) - base;
            long index = (address >>> (12 + 9 * level)) & 511;
            entry = tables.get(ValueLayout.JAVA_LONG, table + index * 8);
            if (level == 1 && (entry & IdentityMap.PS) != 0) {
                return (entry & 1) == 0 ? 0 : entry;
            }
        }
        return (entry & 1) == 0 ? 0 : entry;
    }

    @Test
    void everyMappedPageTranslatesToItselfWithItsRightsAndNothingElseIsPresent() {
        try (Arena a = Arena.ofConfined()) {
            List<GuestMemoryRegion> regions = List.of(region(a, 0x1000, 1, R | X), region(a, 0x2000, 1, R), region(a, 0x10_0000, 3, R | W),
                    region(a, 0x20_0000, 512, R | W), region(a, 0x4000_0000, 1, W), region(a, 0xF_FFFF_F000L, 1, R | W | X));
            var chunks = IdentityMap.leaves(regions, List.of(), true);
            MemorySegment tables = a.allocate(IdentityMap.tablePages(chunks) * 4096L, 4096);
            long base = 0x10_0000_6000L;
            long cr3 = IdentityMap.build(chunks, tables, base);
            assertEquals(2 + 2 + 2, IdentityMap.tablePages(chunks), "PML4, PDPT, 2 PDs, 2 PTs (the full 2 MiB run is one large page)");
            long user = IdentityMap.P | IdentityMap.US | IdentityMap.A | IdentityMap.D;
            assertEquals(0x1000 | user, walk(tables, base, cr3, 0x1234), "code: present, not writable, executable");
            assertEquals(0x2000 | user | IdentityMap.NX, walk(tables, base, cr3, 0x2000));
            assertEquals(0x10_2000 | user | IdentityMap.RW | IdentityMap.NX, walk(tables, base, cr3, 0x10_2FF8));
            assertEquals(0x20_0000 | user | IdentityMap.RW | IdentityMap.NX | IdentityMap.PS, walk(tables, base, cr3, 0x3F_F000));
            assertEquals(0xF_FFFF_F000L | user | IdentityMap.RW, walk(tables, base, cr3, 0xF_FFFF_FFFFL));
            for (long unmapped : new long[] {0, 0xFFF, 0x3000, 0x10_3000, 0x40_0000, 0x4000_0000, 0x1_0000_0000L, 0xF_FFFF_E000L}) {
                assertEquals(0, walk(tables, base, cr3, unmapped), "0x" + Long.toHexString(unmapped) + " must not be present");
            }
        }
    }

    @Test
    void theGuestSpaceEndsWhereTheKernelsGpaSpaceEnds() {
        assertEquals(GpaMap.MAX_GPN << 12, IdentityMap.GUEST_SPACE_END);
        try (Arena a = Arena.ofConfined()) {
            var beyond = List.of(region(a, IdentityMap.GUEST_SPACE_END, 1, R));
            assertThrows(IllegalArgumentException.class, () -> IdentityMap.leaves(beyond, List.of(), true));
        }
    }
}
