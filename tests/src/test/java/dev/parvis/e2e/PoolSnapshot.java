package dev.parvis.e2e;

import dev.parvis.hv.memory.SpaPool;
import java.lang.foreign.ValueLayout;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * SHA-256 of every system-physical page of the pool except an excluded set, taken straight from the
 * kernel's host memory, so a later snapshot names exactly the pages that changed in between.
 */
final class PoolSnapshot {
    private final Set<Long> excluded;
    private final byte[][] hashes;

    private PoolSnapshot(Set<Long> excluded, byte[][] hashes) {
        this.excluded = excluded;
        this.hashes = hashes;
    }

    static PoolSnapshot take(SpaPool pool, Set<Long> excludedSpns) {
        byte[][] hashes = new byte[(int) pool.pageCount()][];
        MessageDigest sha = sha256();
        byte[] page = new byte[(int) SpaPool.PAGE_SIZE];
        for (long spn = 0; spn < pool.pageCount(); spn++) {
            if (!excludedSpns.contains(spn)) {
                java.lang.foreign.MemorySegment.copy(pool.pages(spn, 1), ValueLayout.JAVA_BYTE, 0, page, 0, page.length);
                hashes[(int) spn] = sha.digest(page);
            }
        }
        return new PoolSnapshot(Set.copyOf(excludedSpns), hashes);
    }

    /** SPNs, outside both snapshots' exclusions, whose contents differ. */
    List<Long> changedSince(PoolSnapshot before) {
        List<Long> changed = new ArrayList<>();
        for (int spn = 0; spn < hashes.length; spn++) {
            if (hashes[spn] != null && before.hashes[spn] != null && !Arrays.equals(hashes[spn], before.hashes[spn])) {
                changed.add((long) spn);
            }
        }
        return changed;
    }

    /** Pages hashed in both snapshots. */
    int comparedWith(PoolSnapshot before) {
        int n = 0;
        for (int spn = 0; spn < hashes.length; spn++) {
            if (hashes[spn] != null && before.hashes[spn] != null) {
                n++;
            }
        }
        return n;
    }

    Set<Long> excluded() {
        return excluded;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
