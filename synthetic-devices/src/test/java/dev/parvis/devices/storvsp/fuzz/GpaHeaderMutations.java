package dev.parvis.devices.storvsp.fuzz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

/**
 * What the fuzzing guest does to a GPA-direct header: range count, byte offset and byte count at
 * their bounds, PFNs of pages it does not have, repeated or out of order, too few or too many PFNs,
 * a header cut short, a second range. Only the request's own pages and unmapped ones are named.
 */
final class GpaHeaderMutations {
    private GpaHeaderMutations() {
    }

    /** False when the draft has no header to mutate. */
    static boolean mutate(Random random, GuestDataArea area, Draft d) {
        if (d.header == null || d.header.length < 16) {
            return false;
        }
        ByteBuffer h = d.gpa();
        int pfns = d.pfnCount();
        switch (random.nextInt(10)) {
            case 0 -> put(d, h, 4, pickInt(random, 0, 2, 3, 64, 65, -1, random.nextInt()), "range count");
            case 1 -> put(d, h, 12, pickInt(random, 1, 511, 4095, 4096, 8191, -1, random.nextInt()), "byte_offset");
            case 2 -> put(d, h, 8, pickInt(random, 0, 1, h.getInt(8) - 1, h.getInt(8) + 1, -1, 0x7FFFFFFF, random.nextInt()),
                    "byte_count");
            case 3 -> {
                if (pfns == 0) {
                    return false;
                }
                long[] unmapped = area.unmappedGpns();
                long pfn = random.nextInt(4) == 0 ? random.nextLong() | 1L << 40 : unmapped[random.nextInt(unmapped.length)];
                h.putLong(16 + 8 * random.nextInt(pfns), pfn);
                d.label("PFN 0x" + Long.toHexString(pfn) + " (not the guest's)");
            }
            case 4 -> {
                if (pfns < 2) {
                    return false;
                }
                h.putLong(16 + 8 * random.nextInt(pfns), h.getLong(16 + 8 * random.nextInt(pfns)));
                d.label("a PFN repeated");
            }
            case 5 -> {
                int cut = Math.max(0, Math.min(d.header.length, new int[] {0, 4, 8, 12, 16, d.header.length - 8}[random.nextInt(6)]));
                d.header = Arrays.copyOf(d.header, cut);
                d.label("header cut to " + cut + " bytes");
            }
            case 6 -> extraPfns(random, area, d);
            case 7 -> secondRange(random, area, d);
            case 8 -> put(d, h, 0, random.nextInt(), "reserved");
            default -> reversePfns(d, pfns);
        }
        return true;
    }

    private static int pickInt(Random random, int... values) {
        return values[random.nextInt(values.length)];
    }

    private static void put(Draft d, ByteBuffer h, int at, int value, String field) {
        h.putInt(at, value);
        d.label(field + "=" + Integer.toUnsignedString(value));
    }

    private static void extraPfns(Random random, GuestDataArea area, Draft d) {
        int extra = 1 + random.nextInt(3);
        ByteBuffer h = ByteBuffer.allocate(d.header.length + 8 * extra).order(ByteOrder.LITTLE_ENDIAN).put(d.header);
        for (int i = 0; i < extra; i++) {
            h.putLong(d.region.length == 0 ? random.nextLong() | 1L << 40 : area.gpn(d.region[random.nextInt(d.region.length)]));
        }
        d.header = h.array();
        d.label(extra + " PFNs more than the range needs");
    }

    /** range_count 2: the request's range and one more of its own pages (storvsp takes one range only). */
    private static void secondRange(Random random, GuestDataArea area, Draft d) {
        ByteBuffer h = ByteBuffer.allocate(d.header.length + 16).order(ByteOrder.LITTLE_ENDIAN).put(d.header);
        long pfn = d.region.length == 0 ? 0 : area.gpn(d.region[random.nextInt(d.region.length)]);
        h.putInt(1 + random.nextInt(4096)).putInt(0).putLong(pfn);
        h.putInt(4, 2);
        d.header = h.array();
        d.label("a second range");
    }

    private static void reversePfns(Draft d, int pfns) {
        ByteBuffer h = d.gpa();
        for (int i = 0; i < pfns / 2; i++) {
            long a = h.getLong(16 + 8 * i);
            h.putLong(16 + 8 * i, h.getLong(16 + 8 * (pfns - 1 - i)));
            h.putLong(16 + 8 * (pfns - 1 - i), a);
        }
        d.label("PFNs reversed");
    }
}
