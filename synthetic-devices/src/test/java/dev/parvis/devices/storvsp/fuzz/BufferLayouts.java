package dev.parvis.devices.storvsp.fuzz;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

/**
 * Where a request's buffer lies in its own data-area pages: in order (one host-contiguous run, as a
 * guest's physically contiguous buffer), shuffled (every page a run of its own), or spread over
 * twice the pages with gaps; and the one-range GPA-direct header that names it.
 */
final class BufferLayouts {
    private BufferLayouts() {
    }

    /** {@code pages} distinct pages of {@code region} (which holds at least twice as many when spread). */
    static int[] choose(Random random, int[] region, int pages, boolean spread) {
        if (spread) {
            int[] pool = Arrays.copyOf(region, pages * 2);
            shuffle(random, pool);
            int[] picked = Arrays.copyOf(pool, pages);
            if (random.nextBoolean()) {
                Arrays.sort(picked); // ascending with gaps: runs of one or more pages
            }
            return picked;
        }
        int[] inOrder = Arrays.copyOf(region, pages);
        if (random.nextInt(4) == 0) {
            shuffle(random, inOrder);
        }
        return inOrder;
    }

    static void shuffle(Random random, int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** reserved 0, one range: byte_count, byte_offset, the PFN of each page. */
    static byte[] header(GuestDataArea area, int[] pages, int offset, int byteCount) {
        ByteBuffer h = SrbTemplates.header(pages.length).putInt(0).putInt(1).putInt(byteCount).putInt(offset);
        for (int p : pages) {
            h.putLong(area.gpn(p));
        }
        return h.array();
    }
}
