package dev.parvis.hv.backend.kvm;

import dev.parvis.hv.backend.GuestMemoryRegion;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Comparator;
import java.util.List;

/**
 * The regions an engine last applied, sorted for lookup by guest-physical address: the backend reads
 * the bytes of an instruction it emulates or a hypercall-page stub it checks through them, and
 * asks whether a faulting address was mapped at all.
 */
final class GuestRegions {
    private GuestMemoryRegion[] sorted = new GuestMemoryRegion[0];

    void set(List<GuestMemoryRegion> regions) {
        GuestMemoryRegion[] copy = regions.toArray(GuestMemoryRegion[]::new);
        java.util.Arrays.sort(copy, Comparator.comparingLong(GuestMemoryRegion::gpa));
        sorted = copy;
    }

    /** The region holding {@code gpa}, or null. */
    GuestMemoryRegion find(long gpa) {
        int lo = 0;
        int hi = sorted.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            GuestMemoryRegion r = sorted[mid];
            if (gpa < r.gpa()) {
                hi = mid - 1;
            } else if (gpa >= r.end()) {
                lo = mid + 1;
            } else {
                return r;
            }
        }
        return null;
    }

    /**
     * Copies guest bytes at {@code gpa} that the guest may read into {@code into}; returns how many
     * (fewer when the range runs into an unmapped or unreadable page).
     */
    int read(long gpa, byte[] into) {
        int n = 0;
        while (n < into.length) {
            GuestMemoryRegion r = find(gpa + n);
            if (r == null || (r.access() & GuestMemoryRegion.READ) == 0) {
                break;
            }
            int count = (int) Math.min(into.length - n, r.end() - (gpa + n));
            MemorySegment.copy(r.host(), ValueLayout.JAVA_BYTE, gpa + n - r.gpa(), into, n, count);
            n += count;
        }
        return n;
    }
}
