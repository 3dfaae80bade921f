package dev.parvis.wmi.remote;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import org.apache.thrift.TConfiguration;
import org.apache.thrift.transport.TEndpointTransport;
import org.apache.thrift.transport.TTransportException;

/**
 * What one end of a connection receives, a frame at a time (a 4-byte length, then that many
 * bytes): the server's requests, and the client's answers.
 *
 * <p>A frame is read whole before any of it is decoded, into a buffer that grows only as its bytes
 * arrive: a header claims a length, but memory follows the bytes received, so a slow or hostile
 * peer that claims a frame at the limit and sends a few bytes holds a few KiB of the other end
 * (libthrift's framed transport allocated each claim whole, up front). Each frame starts with the
 * small buffer again, so an idle connection holds little whatever came on it before.
 *
 * <p>The protocol reads within the current frame only: a message that runs past its frame's end, or
 * claims a string or container larger than what is left of it, fails with {@link Overrun} instead
 * of being completed from the next frame; and {@link #next} drops whatever the last message left
 * unread.
 *
 * <p>A frame must arrive whole within a time of its first byte, where the wait before it is the idle
 * connection's: a socket timeout restarts with every byte, so a peer sending a byte at a time could
 * otherwise hold the other end forever. The server reports each frame's first byte to {@code
 * frameStarted} and holds the client to the rest with a deadline of its own, which also ends a
 * blocked read; the client gives {@code wholeWithin}, checked here as each read returns (a read
 * itself is bounded by the socket's timeout).
 */
public final class InboundFrames extends TEndpointTransport {
    /** Most requests fit; a larger frame's buffer doubles as its bytes come, up to its length. */
    static final int FIRST_BUFFER_BYTES = 4096;

    private final InputStream in;
    private final int maxFrameBytes;
    private final String peer;
    private final Runnable frameStarted;
    /** Nanoseconds a frame may take from its first byte to its last; 0 when the caller keeps its own deadline. */
    private final long wholeWithinNanos;
    private long frameDueNanos;
    private final byte[] header = new byte[4];
    private byte[] buffer = new byte[FIRST_BUFFER_BYTES];
    private int position;
    private int end;

    /**
     * Frames from {@code in}, each at most {@code maxFrameBytes}, each frame's first byte reported to
     * {@code frameStarted}; {@code peer} ("client", "server") names the sender in errors.
     */
    public InboundFrames(TConfiguration config, InputStream in, int maxFrameBytes, String peer, Runnable frameStarted)
            throws TTransportException {
        this(config, in, maxFrameBytes, peer, frameStarted, 0);
    }

    /** Frames from {@code in}, each at most {@code maxFrameBytes} and arriving whole within {@code wholeWithin} of its first byte. */
    public InboundFrames(TConfiguration config, InputStream in, int maxFrameBytes, String peer, Duration wholeWithin)
            throws TTransportException {
        this(config, in, maxFrameBytes, peer, () -> { }, wholeWithin.toNanos());
    }

    private InboundFrames(TConfiguration config, InputStream in, int maxFrameBytes, String peer, Runnable frameStarted, long wholeWithinNanos)
            throws TTransportException {
        super(config);
        this.in = in;
        this.maxFrameBytes = maxFrameBytes;
        this.peer = peer;
        this.frameStarted = frameStarted;
        this.wholeWithinNanos = wholeWithinNanos;
    }

    /** Drops what is left of the current frame and reads the next one whole. */
    public void next() throws TTransportException {
        position = 0;
        end = 0;
        if (buffer.length > FIRST_BUFFER_BYTES) {
            buffer = new byte[FIRST_BUFFER_BYTES];
        }
        if (fill(header, 0, 1, true) < 0) {
            throw new TTransportException(TTransportException.END_OF_FILE, "the " + peer + " closed the connection");
        }
        frameDueNanos = System.nanoTime() + wholeWithinNanos;
        frameStarted.run();
        fill(header, 1, 3, false);
        int length = ((header[0] & 0xff) << 24) | ((header[1] & 0xff) << 16) | ((header[2] & 0xff) << 8) | (header[3] & 0xff);
        if (length < 0 || length > maxFrameBytes) {
            throw new TTransportException(TTransportException.CORRUPTED_DATA, "the " + peer + " sent a frame of " + (length & 0xffffffffL)
                    + " bytes; the limit is " + maxFrameBytes);
        }
        for (int got = 0; got < length; ) {
            if (got == buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.min(length, 2 * buffer.length));
            }
            got += fill(buffer, got, Math.min(buffer.length, length) - got, false);
        }
        end = length;
    }

    /**
     * Reads {@code len} bytes, or returns -1 if the stream ends before the first of them and {@code
     * mayEnd} (a peer closing between frames). The socket's timeout, or the server's deadlines, end a quiet peer.
     */
    private int fill(byte[] into, int off, int len, boolean mayEnd) throws TTransportException {
        int got = 0;
        while (got < len) {
            int n;
            try {
                n = in.read(into, off + got, len - got);
            } catch (SocketTimeoutException e) {
                throw new TTransportException(TTransportException.TIMED_OUT, "the " + peer + " sent nothing within the socket's timeout", e);
            } catch (IOException e) {
                throw new TTransportException(TTransportException.UNKNOWN, e);
            }
            if (n < 0) {
                if (got == 0 && mayEnd) {
                    return -1;
                }
                throw new TTransportException(TTransportException.END_OF_FILE, "the " + peer + " closed the connection inside a frame");
            }
            got += n;
            if (wholeWithinNanos > 0 && got < len && System.nanoTime() - frameDueNanos > 0) {
                throw new TTransportException(TTransportException.TIMED_OUT, "the " + peer + "'s frame did not arrive whole within "
                        + wholeWithinNanos / 1_000_000 + " ms of its first byte");
            }
        }
        return got;
    }

    @Override
    public int read(byte[] into, int off, int len) throws TTransportException {
        if (len > end - position) {
            // libthrift's readAll would ask again for the rest: fail now, naming the real cause.
            throw pastTheEnd(len);
        }
        System.arraycopy(buffer, position, into, off, len);
        position += len;
        return len;
    }

    /** The protocol asks this before allocating for a claimed string or container: the frame's remainder bounds it. */
    @Override
    public void checkReadBytesAvailable(long numBytes) throws TTransportException {
        if (numBytes > end - position) {
            throw pastTheEnd(numBytes);
        }
    }

    private Overrun pastTheEnd(long wanted) {
        return new Overrun("the message runs past the end of its frame (" + wanted + " bytes wanted, " + (end - position) + " left of "
                + end + ")");
    }

    /** A message that runs past the end of its frame: the frame is sound (its end is known), the message in it is not. */
    static final class Overrun extends TTransportException {
        Overrun(String message) {
            super(TTransportException.CORRUPTED_DATA, message);
        }
    }

    @Override
    public byte[] getBuffer() {
        return buffer;
    }

    @Override
    public int getBufferPosition() {
        return position;
    }

    @Override
    public int getBytesRemainingInBuffer() {
        return end - position;
    }

    @Override
    public void consumeBuffer(int len) {
        position += len;
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public void open() {
        // Opened with its socket.
    }

    @Override
    public void close() {
        // The socket's owner (the server's connection, or the client) closes it, and the stream with it.
    }

    /** One direction only: replies and requests go out through the owner's own output transport. */
    @Override
    public void write(byte[] buf, int off, int len) {
        throw new UnsupportedOperationException("inbound frames are only read; write through the socket's output transport");
    }
}
