package dev.parvis.hv.backend.unicorn;

import dev.parvis.hv.backend.GuestMemoryRegion;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The regions an engine has mapped into its unicorn instance, and the diff that brings them to a
 * new GPA map. Unicorn does not own mapped memory (uc_mem_map_ptr): the kernel's page pool keeps it
 * alive until the region is unmapped here or the engine is closed.
 */
final class UnicornGpaMap {

    /** The changes to make, in this order: unmap, protect, map. */
    record Plan(List<GuestMemoryRegion> unmap, List<GuestMemoryRegion> protect, List<GuestMemoryRegion> map) {
        boolean isEmpty() {
            return unmap.isEmpty() && protect.isEmpty() && map.isEmpty();
        }
    }

    private final Map<Long, GuestMemoryRegion> mapped = new HashMap<>();
    /** The region the last guest-byte read hit. */
    private GuestMemoryRegion lastHit;

    /**
     * True when the three guest bytes at {@code gpa} are VMCALL or VMMCALL; null when they are not all
     * in one mapped region (the caller then asks unicorn). Allocation-free: it runs on every exit.
     */
    Boolean hypercallAt(long gpa) {
        GuestMemoryRegion r = region(gpa, 4);
        if (r == null) {
            return null;
        }
        // One 4-byte read: 0F 01 C1 (VMCALL) or 0F 01 D9 (VMMCALL) in its low three bytes.
        int word = r.host().get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, gpa - r.gpa()) & 0xFF_FFFF;
        return word == 0xC1_010F || word == 0xD9_010F;
    }

    /** The mapped region holding [gpa, gpa + count), or null; exits cluster on the same code page. */
    private GuestMemoryRegion region(long gpa, int count) {
        GuestMemoryRegion r = lastHit;
        if (r == null || gpa < r.gpa() || gpa + count > r.end()) {
            r = null;
            for (GuestMemoryRegion candidate : mapped.values()) {
                if (gpa >= candidate.gpa() && gpa + count <= candidate.end()) {
                    r = candidate;
                    break;
                }
            }
            if (r != null) {
                lastHit = r;
            }
        }
        return r;
    }

    /**
     * Copies guest bytes straight from the backing memory, without a uc_mem_read downcall; null when
     * the range is not inside one mapped region. Used on every exit to look at the instruction.
     */
    byte[] read(long gpa, int count) {
        GuestMemoryRegion r = region(gpa, count);
        if (r == null) {
            return null;
        }
        byte[] bytes = new byte[count];
        MemorySegment.copy(r.host(), java.lang.foreign.ValueLayout.JAVA_BYTE, gpa - r.gpa(), bytes, 0, count);
        return bytes;
    }

    /**
     * The diff from {@code current} to {@code wanted}, keyed by start GPA. A region whose backing or
     * size changed is unmapped and mapped again; one whose rights alone changed is re-protected.
     * Pure: no unicorn calls.
     */
    static Plan plan(Map<Long, GuestMemoryRegion> current, List<GuestMemoryRegion> wanted) {
        List<GuestMemoryRegion> unmap = new ArrayList<>();
        List<GuestMemoryRegion> protect = new ArrayList<>();
        List<GuestMemoryRegion> map = new ArrayList<>();
        Map<Long, GuestMemoryRegion> wantedByGpa = new HashMap<>();
        for (GuestMemoryRegion w : wanted) {
            wantedByGpa.put(w.gpa(), w);
        }
        for (GuestMemoryRegion c : current.values()) {
            GuestMemoryRegion w = wantedByGpa.get(c.gpa());
            if (w == null || !sameBacking(c, w)) {
                unmap.add(c);
            }
        }
        for (GuestMemoryRegion w : wanted) {
            GuestMemoryRegion c = current.get(w.gpa());
            if (c == null || !sameBacking(c, w)) {
                map.add(w);
            } else if (c.access() != w.access()) {
                protect.add(w);
            }
        }
        return new Plan(unmap, protect, map);
    }

    private static boolean sameBacking(GuestMemoryRegion a, GuestMemoryRegion b) {
        return a.size() == b.size() && a.host().address() == b.host().address();
    }

    /**
     * Applies {@code wanted} to the cpu. uc_mem_unmap and uc_mem_protect flush unicorn's TLB and the
     * affected translations (checked by the read-only and unmap tests), so a change is seen by the
     * very next guest access.
     */
    void apply(UnicornCpu cpu, List<GuestMemoryRegion> wanted) {
        Plan plan = plan(mapped, wanted);
        lastHit = null;
        UnicornLibrary lib = cpu.library();
        for (GuestMemoryRegion r : plan.unmap()) {
            lib.check("uc_mem_unmap", lib.memUnmap(cpu.handle(), r.gpa(), r.size()));
            mapped.remove(r.gpa());
        }
        for (GuestMemoryRegion r : plan.protect()) {
            lib.check("uc_mem_protect", lib.memProtect(cpu.handle(), r.gpa(), r.size(), UnicornAbi.protection(r.access())));
            mapped.put(r.gpa(), r);
        }
        for (GuestMemoryRegion r : plan.map()) {
            // Pass the raw address: the kernel guarantees the lifetime, and its pool's arena may be
            // confined to another thread, which would make passing the segment itself fail.
            MemorySegment host = MemorySegment.ofAddress(r.host().address());
            lib.check("uc_mem_map_ptr", lib.memMapPtr(cpu.handle(), r.gpa(), r.size(), UnicornAbi.protection(r.access()), host));
            mapped.put(r.gpa(), r);
        }
    }
}
