package dev.parvis.devices.vhdx.storage;

import dev.parvis.devices.vhdx.format.LogUpdate;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A read-only file seen as if its log had been replayed ([MS-VHDX] 2.3.3 note 5: a read-only open must
 * not serve reads without replaying the log in memory). Reads come from the file, then zero runs, then
 * logged sectors, in the order the log would have written them. Nothing is written to the file.
 */
public final class ReplayedStorage implements VhdxStorage {
    private static final int SECTOR = 4096;
    private static final byte[] ZEROS = new byte[SECTOR];

    private final VhdxStorage base;
    private final TreeMap<Long, byte[]> sectors = new TreeMap<>();
    private final List<LogUpdate.Zero> zeros = new ArrayList<>();
    private final long baseSize;
    private final long size;

    /** {@code updates} in replay order; {@code minimumSize} is the head entry's LastFileOffset. */
    public ReplayedStorage(VhdxStorage base, List<LogUpdate> updates, long minimumSize) throws IOException {
        this.base = base;
        this.baseSize = base.size();
        long end = Math.max(baseSize, minimumSize);
        for (LogUpdate u : updates) {
            switch (u) {
                case LogUpdate.Sector s -> sectors.put(s.fileOffset(), s.data());
                case LogUpdate.Zero z -> {
                    sectors.subMap(z.fileOffset(), z.fileOffset() + z.length()).clear();
                    zeros.add(z);
                }
            }
            end = Math.max(end, u.fileOffset() + u.length());
        }
        this.size = end;
    }

    @Override
    public String name() {
        return base.name();
    }

    @Override
    public boolean writable() {
        return false;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void read(long position, ByteBuffer dst) throws IOException {
        int length = dst.remaining();
        long end = position + length;
        if (position < 0 || end > size) {
            throw new EOFException(name() + ": read of " + length + " bytes at " + position + " passes the end");
        }
        ByteBuffer out = dst.slice();
        int fromBase = (int) Math.max(0, Math.min(end, baseSize) - position);
        if (fromBase > 0) {
            base.read(position, out.slice(0, fromBase));
        }
        fillZero(out, fromBase, length);
        for (LogUpdate.Zero z : zeros) {
            long from = Math.max(position, z.fileOffset());
            long to = Math.min(end, z.fileOffset() + z.length());
            if (from < to) {
                fillZero(out, (int) (from - position), (int) (to - position));
            }
        }
        Long first = sectors.floorKey(position);
        long start = first != null ? first : position;
        for (Map.Entry<Long, byte[]> e : sectors.subMap(start, end).entrySet()) {
            long from = Math.max(position, e.getKey());
            long to = Math.min(end, e.getKey() + SECTOR);
            if (from < to) {
                out.put((int) (from - position), e.getValue(), (int) (from - e.getKey()), (int) (to - from));
            }
        }
        dst.position(dst.position() + length);
    }

    private static void fillZero(ByteBuffer out, int from, int to) {
        for (int at = from; at < to; at += SECTOR) {
            out.put(at, ZEROS, 0, Math.min(SECTOR, to - at));
        }
    }

    @Override
    public void write(long position, ByteBuffer src) throws IOException {
        throw new IOException(name() + " is open read-only");
    }

    @Override
    public void force() {
    }

    @Override
    public void close() throws IOException {
        base.close();
    }
}
