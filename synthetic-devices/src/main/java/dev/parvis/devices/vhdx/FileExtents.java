package dev.parvis.devices.vhdx;

import dev.parvis.devices.vhdx.format.VhdxFormatException;
import dev.parvis.devices.vhdx.format.VhdxLayout;
import dev.parvis.devices.vhdx.format.VhdxStructure;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The claimed places of a file, checked for overlap ([MS-VHDX] 2.1, 2.2.3.2, 2.5.1: the header
 * section, the log, every region and every payload or sector bitmap block must not overlap). Named
 * structures are few; blocks can be tens of millions, so they are packed into a sorted long array of
 * (start in MiB, BAT index), and their lengths come from a function of the index.
 */
final class FileExtents {
    private static final int INDEX_BITS = 28;
    private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;

    /** A named structure: the header section, the log or a region. */
    record Named(String name, long start, long length) {
        long end() {
            return start + length;
        }
    }

    /** The length in bytes of the block a BAT index locates. */
    interface BlockLength {
        long of(long batIndex);
    }

    private final List<Named> named = new ArrayList<>();

    void add(String name, long start, long length) {
        if (length > 0) {
            named.add(new Named(name, start, length));
        }
    }

    /** Refuses overlapping named structures; {@code structure} and {@code field} name the culprit's kind. */
    void checkNamed(VhdxStructure structure, String field) throws VhdxFormatException {
        List<Named> sorted = new ArrayList<>(named);
        sorted.sort((a, b) -> Long.compare(a.start(), b.start()));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i - 1).end() > sorted.get(i).start()) {
                throw new VhdxFormatException(structure, field, sorted.get(i - 1).name() + " overlaps " + sorted.get(i).name());
            }
        }
    }

    /**
     * Refuses blocks that overlap each other or a named structure. {@code blocks} holds
     * {@link #pack packed} entries and is sorted in place.
     */
    void checkBlocks(long[] blocks, int count, BlockLength length) throws VhdxFormatException {
        Arrays.sort(blocks, 0, count);
        List<Named> sorted = new ArrayList<>(named);
        sorted.sort((a, b) -> Long.compare(a.start(), b.start()));
        int nextNamed = 0;
        long previousEnd = 0;
        long previousIndex = -1;
        for (int i = 0; i < count; i++) {
            long index = blocks[i] & INDEX_MASK;
            long start = (blocks[i] >>> INDEX_BITS) * VhdxLayout.MIB;
            long end = start + VhdxLayout.roundUp(length.of(index), VhdxLayout.MIB);
            if (start < previousEnd) {
                throw overlap(index, "overlaps the block of BAT entry " + previousIndex);
            }
            while (nextNamed < sorted.size() && sorted.get(nextNamed).end() <= start) {
                nextNamed++;
            }
            if (nextNamed < sorted.size() && sorted.get(nextNamed).start() < end) {
                throw overlap(index, "overlaps the " + sorted.get(nextNamed).name());
            }
            previousEnd = end;
            previousIndex = index;
        }
    }

    /** Packs a block at a 1 MiB-aligned {@code fileOffset} for BAT index {@code index}. */
    static long pack(long fileOffset, long index) {
        if (index > INDEX_MASK) {
            throw new IllegalArgumentException("BAT index too large to pack: " + index);
        }
        return (fileOffset / VhdxLayout.MIB) << INDEX_BITS | index;
    }

    private static VhdxFormatException overlap(long index, String reason) {
        return new VhdxFormatException(VhdxStructure.BAT, "entry " + index + " FileOffsetMB", "block " + reason);
    }
}
