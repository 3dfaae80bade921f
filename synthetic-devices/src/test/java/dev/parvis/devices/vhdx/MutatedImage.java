package dev.parvis.devices.vhdx;

import dev.parvis.devices.vhdx.storage.VhdxStorage;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * A copy-on-write view of a base image for the fuzz test: changed 4 KiB pages live in a map, the rest
 * is read from the shared base. Any read outside [0, size) is recorded as a violation (and refused),
 * so the test can prove that no accepted file makes the reader leave the file.
 */
final class MutatedImage implements VhdxStorage {
    private static final int PAGE = 4096;
    private static final byte[] ZERO_PAGE = new byte[PAGE];

    private final byte[] base;
    private final Map<Long, byte[]> pages = new HashMap<>();
    private final boolean writable;
    private long size;
    private long baseLimit;
    private String violation;

    MutatedImage(byte[] base, long size, boolean writable) {
        this.base = base;
        this.size = size;
        this.baseLimit = Math.min(base.length, size);
        this.writable = writable;
    }

    /** A writable copy of this image as it is now. */
    synchronized MutatedImage writableCopy() {
        MutatedImage copy = new MutatedImage(base, size, true);
        copy.baseLimit = baseLimit;
        pages.forEach((k, v) -> copy.pages.put(k, v.clone()));
        return copy;
    }

    synchronized String violation() {
        return violation;
    }

    synchronized byte get(long position) {
        byte[] page = pages.get(position / PAGE);
        if (page != null) {
            return page[(int) (position % PAGE)];
        }
        return position < baseLimit ? base[(int) position] : 0;
    }

    synchronized void set(long position, byte value) {
        page(position / PAGE)[(int) (position % PAGE)] = value;
    }

    /** Cuts the file at {@code newSize}: whatever lay past it reads as zero if the file grows again. */
    synchronized void truncate(long newSize) {
        size = newSize;
        baseLimit = Math.min(baseLimit, newSize);
        pages.keySet().removeIf(index -> index * PAGE >= newSize);
        byte[] last = pages.get(newSize / PAGE);
        if (last != null) {
            java.util.Arrays.fill(last, (int) (newSize % PAGE), PAGE, (byte) 0);
        }
    }

    private byte[] page(long index) {
        return pages.computeIfAbsent(index, i -> {
            byte[] page = new byte[PAGE];
            long from = i * PAGE;
            if (from < baseLimit) {
                System.arraycopy(base, (int) from, page, 0, (int) Math.min(PAGE, baseLimit - from));
            }
            return page;
        });
    }

    @Override
    public String name() {
        return "mutated";
    }

    @Override
    public boolean writable() {
        return writable;
    }

    @Override
    public synchronized long size() {
        return size;
    }

    @Override
    public synchronized void read(long position, ByteBuffer dst) throws IOException {
        if (position < 0 || position + dst.remaining() > size) {
            violation = "read of " + dst.remaining() + " bytes at " + position + " outside a " + size + "-byte file";
            throw new EOFException(violation);
        }
        long at = position;
        while (dst.hasRemaining()) {
            long index = at / PAGE;
            int inPage = (int) (at % PAGE);
            int n = Math.min(dst.remaining(), PAGE - inPage);
            byte[] page = pages.get(index);
            if (page != null) {
                dst.put(page, inPage, n);
            } else if (at + n <= baseLimit) {
                dst.put(base, (int) at, n);
            } else {
                int fromBase = (int) Math.max(0, Math.min(n, baseLimit - at));
                if (fromBase > 0) {
                    dst.put(base, (int) at, fromBase);
                }
                dst.put(ZERO_PAGE, 0, n - fromBase);
            }
            at += n;
        }
    }

    @Override
    public synchronized void write(long position, ByteBuffer src) throws IOException {
        if (!writable) {
            throw new IOException("read-only");
        }
        long at = position;
        while (src.hasRemaining()) {
            int inPage = (int) (at % PAGE);
            int n = Math.min(src.remaining(), PAGE - inPage);
            src.get(page(at / PAGE), inPage, n);
            at += n;
        }
        size = Math.max(size, at);
    }

    @Override
    public void force() {
    }

    @Override
    public void close() {
    }
}
