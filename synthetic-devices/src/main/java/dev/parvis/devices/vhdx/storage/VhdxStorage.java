package dev.parvis.devices.vhdx.storage;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * Positional byte I/O on one VHDX file. Implementations are safe for concurrent use by many threads;
 * a write is durable only after a later {@link #force()} returns. Reads never go past {@link #size()}:
 * an attempt is an {@link java.io.EOFException}, never silent zeros.
 */
public interface VhdxStorage extends Closeable {
    /** How messages name this storage (a file name for files). */
    String name();

    boolean writable();

    long size() throws IOException;

    /** Fills {@code dst} from {@code position} on. */
    void read(long position, ByteBuffer dst) throws IOException;

    /**
     * Fills {@code dst} from {@code position} on without waiting for the device (for a thread that must
     * not block), or returns false: the bytes are not all at hand, or this storage cannot tell. After
     * false {@code dst} may hold part of the bytes and the caller {@link #read}s them instead.
     */
    default boolean readCached(long position, MemorySegment dst) {
        return false;
    }

    /** Writes all of {@code src} at {@code position}, growing the file when it writes past the end. */
    void write(long position, ByteBuffer src) throws IOException;

    /** Makes every completed write durable (data and the file's length). */
    void force() throws IOException;

    default byte[] readBytes(long position, int length) throws IOException {
        byte[] out = new byte[length];
        read(position, ByteBuffer.wrap(out));
        return out;
    }

    default void writeBytes(long position, byte[] data) throws IOException {
        write(position, ByteBuffer.wrap(data));
    }

    /**
     * Grows the file to {@code newSize} if it is shorter; the new bytes read as zero. It writes one zero
     * byte at the new end, so it must only be used past the current end.
     */
    default void extendTo(long newSize) throws IOException {
        if (newSize > size()) {
            write(newSize - 1, ByteBuffer.allocate(1));
        }
    }
}
