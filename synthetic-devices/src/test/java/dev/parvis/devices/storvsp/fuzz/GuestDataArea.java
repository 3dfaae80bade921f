package dev.parvis.devices.storvsp.fuzz;

import dev.parvis.vmbus.client.GuestPages;
import dev.parvis.vmbus.loopback.LoopbackGuestMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * The guest pages the fuzzer names in its GPA-direct buffers, and a copy of what each byte must
 * hold: the host may change a byte only through a buffer a request granted, and only as the
 * request's outcome says (the test updates the copy from the outcomes). Each request of a batch gets
 * pages of its own, so the outcome of one never depends on another's.
 */
final class GuestDataArea {
    static final int PAGE = 4096;

    private final GuestPages pages;
    private final long[] gpns;
    private final MemorySegment memory;
    private final byte[] expected;
    private final Map<Long, Integer> indexByGpn = new HashMap<>();
    private final long[] unmapped;
    private int claimed;

    GuestDataArea(LoopbackGuestMemory guest, int pageCount, Random random) {
        this.pages = guest.allocate(pageCount);
        this.gpns = pages.gpns();
        this.memory = pages.contiguous();
        this.expected = new byte[pageCount * PAGE];
        random.nextBytes(expected);
        MemorySegment.copy(MemorySegment.ofArray(expected), 0, memory, 0, expected.length);
        for (int i = 0; i < gpns.length; i++) {
            indexByGpn.put(gpns[i], i);
        }
        // The guard pages either side of the area never get a GPN; allocations never reach 2^30 pages past the last.
        unmapped = new long[] {gpns[0] - 1, gpns[pageCount - 1] + 1, guest.unmappedGpn() + (1L << 30), 0, -1L, 1L << 52};
    }

    int pageCount() {
        return gpns.length;
    }

    long gpn(int page) {
        return gpns[page];
    }

    /** The data-area page of {@code gpn}, or -1 when the guest has no such page in the area. */
    int pageOf(long gpn) {
        return indexByGpn.getOrDefault(gpn, -1);
    }

    /** Page numbers no mapping covers (guard pages, past the guest's RAM, 0, all ones, 2^52). */
    long[] unmappedGpns() {
        return unmapped.clone();
    }

    /** Starts a batch: every page may be claimed again. */
    void newBatch() {
        claimed = 0;
    }

    /** {@code count} consecutive pages no other request of the batch has, or -1 when the area is used up. */
    int claim(int count) {
        if (count > gpns.length - claimed) {
            return -1;
        }
        claimed += count;
        return claimed - count;
    }

    /** Fills the range's first bytes with {@code data} (a buffer the guest sends): the host reads these. */
    void put(GuestRange range, byte[] data) {
        range.scatter(expected, data);
        for (int i = 0; i < data.length; i++) {
            memory.set(ValueLayout.JAVA_BYTE, range.areaOffset(i), data[i]);
        }
    }

    /** What the range's first {@code count} bytes must hold now. */
    byte[] expected(GuestRange range, int count) {
        return range.gather(expected, count);
    }

    /** What the range's first {@code count} bytes hold in guest memory. */
    byte[] actual(GuestRange range, int count) {
        byte[] out = new byte[count];
        for (int i = 0; i < count; i++) {
            out[i] = memory.get(ValueLayout.JAVA_BYTE, range.areaOffset(i));
        }
        return out;
    }

    /** The host wrote {@code data} into the range's first bytes (a read the test can predict). */
    void expect(GuestRange range, byte[] data) {
        range.scatter(expected, data);
    }

    /** The host wrote the range's first {@code count} bytes with what they now hold (checked by the caller, or not checkable). */
    void accept(GuestRange range, int count) {
        range.scatter(expected, actual(range, count));
    }

    /** The first page where guest memory differs from what it must hold, and a description. */
    record Difference(int page, String description) {}

    /**
     * Where guest memory differs from what it must hold: null when nowhere, else the first offset and
     * how many pages differ. The expectation then takes on what memory holds, so that one fault is
     * reported once.
     */
    Difference differences() {
        MemorySegment want = MemorySegment.ofArray(expected);
        long first = memory.mismatch(want);
        if (first < 0) {
            return null;
        }
        int pagesDiffering = 0;
        for (int p = 0; p < gpns.length; p++) {
            if (memory.asSlice((long) p * PAGE, PAGE).mismatch(want.asSlice((long) p * PAGE, PAGE)) >= 0) {
                pagesDiffering++;
            }
        }
        String where = "page %d offset %d (0x%02x, expected 0x%02x), %d page(s) differ".formatted(first / PAGE,
                first % PAGE, memory.get(ValueLayout.JAVA_BYTE, first), expected[(int) first], pagesDiffering);
        MemorySegment.copy(memory, ValueLayout.JAVA_BYTE, 0, expected, 0, expected.length);
        return new Difference((int) (first / PAGE), where);
    }
}
