package dev.parvis.devices.vhdx;

import dev.parvis.devices.vhdx.format.LogUpdate;
import dev.parvis.devices.vhdx.format.VhdxLayout;
import dev.parvis.devices.vhdx.storage.VhdxStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The sector bitmap blocks of a differencing file ([MS-VHDX] 2.4): one bit per logical sector of a
 * chunk, 1 = the sector's data is in this file, 0 = read it from the parent. Bit 0 of byte 0 is the
 * chunk's first sector, so bit {@code s} is bit {@code s % 64} of little-endian word {@code s / 64}.
 * Loaded on first use; bits are read lock-free and set under the owner's allocation lock, which also
 * collects the 4 KiB bitmap sectors the next commit must log.
 */
final class SectorBitmaps {
    private static final int SECTOR = VhdxLayout.LOG_SECTOR_SIZE;
    private static final int WORDS = VhdxLayout.SECTOR_BITMAP_BLOCK_SIZE / Long.BYTES;
    private static final int WORDS_PER_SECTOR = SECTOR / Long.BYTES;

    private record Loaded(long fileOffset, AtomicLongArray words) {
    }

    private final VhdxStorage storage;
    private final Map<Long, Loaded> chunks = new ConcurrentHashMap<>();
    private final TreeMap<Long, Loaded> dirtyChunks = new TreeMap<>();
    private final Map<Long, TreeSet<Integer>> dirtySectors = new TreeMap<>();

    SectorBitmaps(VhdxStorage storage) {
        this.storage = storage;
    }

    /** Makes chunk {@code chunk}'s bitmap, stored at {@code fileOffset}, available; loads it once. */
    void load(long chunk, long fileOffset) throws IOException {
        if (chunks.containsKey(chunk)) {
            return;
        }
        synchronized (this) {
            if (chunks.containsKey(chunk)) {
                return;
            }
            ByteBuffer bytes = ByteBuffer.allocate(VhdxLayout.SECTOR_BITMAP_BLOCK_SIZE);
            storage.read(fileOffset, bytes);
            long[] words = new long[WORDS];
            bytes.flip().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(words);
            chunks.put(chunk, new Loaded(fileOffset, new AtomicLongArray(words)));
        }
    }

    /** A new, all-zero bitmap for a freshly allocated block (nothing to read). */
    void create(long chunk, long fileOffset) {
        chunks.put(chunk, new Loaded(fileOffset, new AtomicLongArray(WORDS)));
    }

    boolean isLoaded(long chunk) {
        return chunks.containsKey(chunk);
    }

    boolean get(long chunk, long sector) {
        AtomicLongArray words = chunks.get(chunk).words();
        return (words.get((int) (sector >>> 6)) & (1L << (sector & 63))) != 0;
    }

    /** How many sectors from {@code sector} on (at most {@code limit}) share its bit. */
    int run(long chunk, long sector, int limit) {
        boolean bit = get(chunk, sector);
        int n = 1;
        while (n < limit && get(chunk, sector + n) == bit) {
            n++;
        }
        return n;
    }

    /** Whether every sector of [sector, sector+count) is set. */
    boolean allSet(long chunk, long sector, long count) {
        for (long s = sector; s < sector + count; s++) {
            if (!get(chunk, s)) {
                return false;
            }
        }
        return true;
    }

    /** Sets [sector, sector+count) and records the bitmap sectors that changed; under the allocation lock. */
    void set(long chunk, long sector, long count) {
        Loaded loaded = chunks.get(chunk);
        for (long s = sector; s < sector + count; s++) {
            int word = (int) (s >>> 6);
            long bit = 1L << (s & 63);
            long old = loaded.words().getAndUpdate(word, w -> w | bit);
            if ((old & bit) == 0) {
                dirtyChunks.put(chunk, loaded);
                dirtySectors.computeIfAbsent(chunk, c -> new TreeSet<>()).add(word / WORDS_PER_SECTOR);
            }
        }
    }

    boolean hasDirty() {
        return !dirtySectors.isEmpty();
    }

    /** The changed bitmap sectors as log updates, and forgets them; under the allocation lock. */
    List<LogUpdate.Sector> takeDirty() {
        List<LogUpdate.Sector> out = new ArrayList<>();
        for (Map.Entry<Long, TreeSet<Integer>> e : dirtySectors.entrySet()) {
            Loaded loaded = dirtyChunks.get(e.getKey());
            for (int sector : e.getValue()) {
                ByteBuffer bytes = ByteBuffer.allocate(SECTOR).order(ByteOrder.LITTLE_ENDIAN);
                LongBuffer longs = bytes.asLongBuffer();
                for (int i = 0; i < WORDS_PER_SECTOR; i++) {
                    longs.put(i, loaded.words().get(sector * WORDS_PER_SECTOR + i));
                }
                out.add(new LogUpdate.Sector(loaded.fileOffset() + (long) sector * SECTOR, bytes.array()));
            }
        }
        dirtySectors.clear();
        dirtyChunks.clear();
        return out;
    }
}
