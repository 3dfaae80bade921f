package dev.parvis.devices.vhdx.storage;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A VHDX file held in a heap array: for tests and for images built in memory. Thread-safe (one
 * monitor); {@link #force()} has nothing to do. At most 2 GiB.
 */
public final class HeapStorage implements VhdxStorage {
    private final String name;
    private final boolean writable;
    private byte[] bytes;
    private long size;

    public HeapStorage(String name, byte[] initial, boolean writable) {
        this.name = name;
        this.bytes = initial.clone();
        this.size = initial.length;
        this.writable = writable;
    }

    public static HeapStorage empty(String name) {
        return new HeapStorage(name, new byte[0], true);
    }

    /** A copy of the current contents. */
    public synchronized byte[] toByteArray() {
        return Arrays.copyOf(bytes, (int) size);
    }

    @Override
    public String name() {
        return name;
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
            throw new EOFException(name + ": read of " + dst.remaining() + " bytes at " + position + " passes the end");
        }
        dst.put(bytes, (int) position, dst.remaining());
    }

    @Override
    public synchronized void write(long position, ByteBuffer src) throws IOException {
        if (!writable) {
            throw new IOException(name + " is read-only");
        }
        long end = position + src.remaining();
        if (position < 0 || end > Integer.MAX_VALUE - 8) {
            throw new IOException(name + ": write at " + position + " beyond what a heap image holds");
        }
        if (end > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) Math.max(end, Math.min(Integer.MAX_VALUE - 8, bytes.length * 2L)));
        }
        src.get(bytes, (int) position, src.remaining());
        size = Math.max(size, end);
    }

    @Override
    public void force() {
    }

    @Override
    public void close() {
    }
}
