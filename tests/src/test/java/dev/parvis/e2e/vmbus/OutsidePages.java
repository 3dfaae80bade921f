package dev.parvis.e2e.vmbus;

import dev.parvis.e2e.GuestHarness;
import dev.parvis.hv.memory.GpaMap;
import dev.parvis.hv.memory.SpaPool;
import dev.parvis.root.loader.LoadedChild;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * SHA-256 of every pool page outside some children's mapped RAM, so a later snapshot names the pages
 * a VMBus exchange changed outside those children (the same check as the e2e PoolSnapshot).
 */
final class OutsidePages {
    private final byte[][] hashes;

    private OutsidePages(byte[][] hashes) {
        this.hashes = hashes;
    }

    /** Hashes every pool page that is neither mapped in one of {@code children} nor the hypervisor's for one of them. */
    static OutsidePages of(GuestHarness h, LoadedChild... children) {
        Set<Long> excluded = new HashSet<>();
        for (LoadedChild c : children) {
            GpaMap map = h.partition(c).gpaMap();
            for (long gpn : map.mappedGpns()) {
                excluded.add(map.spn(gpn));
            }
            for (long spn : h.partition(c).hypervisorPages()) {
                excluded.add(spn); // its hypercall, SIM and SIEF pages
            }
        }
        SpaPool pool = h.hv.pool();
        byte[][] hashes = new byte[(int) pool.pageCount()][];
        MessageDigest sha = sha256();
        byte[] page = new byte[(int) SpaPool.PAGE_SIZE];
        for (long spn = 0; spn < pool.pageCount(); spn++) {
            if (!excluded.contains(spn)) {
                MemorySegment.copy(pool.pages(spn, 1), ValueLayout.JAVA_BYTE, 0, page, 0, page.length);
                hashes[(int) spn] = sha.digest(page);
            }
        }
        return new OutsidePages(hashes);
    }

    /** SPNs hashed in both snapshots whose contents differ. */
    List<Long> changedSince(OutsidePages before) {
        List<Long> changed = new ArrayList<>();
        for (int spn = 0; spn < hashes.length; spn++) {
            if (hashes[spn] != null && before.hashes[spn] != null && !Arrays.equals(hashes[spn], before.hashes[spn])) {
                changed.add((long) spn);
            }
        }
        return changed;
    }

    /** Pages hashed in both snapshots. */
    int comparedWith(OutsidePages before) {
        int n = 0;
        for (int spn = 0; spn < hashes.length; spn++) {
            if (hashes[spn] != null && before.hashes[spn] != null) {
                n++;
            }
        }
        return n;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
