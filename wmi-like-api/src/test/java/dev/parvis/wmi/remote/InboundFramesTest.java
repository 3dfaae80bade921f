package dev.parvis.wmi.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.apache.thrift.TConfiguration;
import org.apache.thrift.transport.TTransportException;
import org.junit.jupiter.api.Test;

/** A connection's frames over a scripted stream: what is allocated for them, and where each message's reads stop. */
class InboundFramesTest {
    private static final int LIMIT = 256 * 1024;

    private static InboundFrames over(byte[]... frames) throws TTransportException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (byte[] f : frames) {
            wire.writeBytes(f);
        }
        return new InboundFrames(new TConfiguration(), new ByteArrayInputStream(wire.toByteArray()), LIMIT, "client", () -> { });
    }

    /** A frame header claiming {@code claim} bytes followed by {@code sent} bytes of value {@code fill}. */
    private static byte[] frame(int claim, int sent, int fill) {
        byte[] f = new byte[4 + sent];
        java.nio.ByteBuffer.wrap(f).putInt(claim);
        java.util.Arrays.fill(f, 4, f.length, (byte) fill);
        return f;
    }

    @Test
    void theBufferGrowsWithTheBytesReceivedNotTheLengthClaimed() throws Exception {
        InboundFrames frames = over(frame(LIMIT, 10_000, 1));
        TTransportException e = assertThrows(TTransportException.class, frames::next, "the stream ends inside the frame");
        assertEquals(TTransportException.END_OF_FILE, e.getType());
        assertEquals(16 * 1024, frames.getBuffer().length, "10,000 bytes received: the 4 KiB buffer doubled twice");
    }

    @Test
    void eachFrameStartsWithTheSmallBufferAgain() throws Exception {
        InboundFrames frames = over(frame(100_000, 100_000, 1), frame(3, 3, 2));
        frames.next();
        assertEquals(100_000, frames.getBytesRemainingInBuffer());
        frames.next();
        assertEquals(InboundFrames.FIRST_BUFFER_BYTES, frames.getBuffer().length);
    }

    @Test
    void readsStopAtTheFrameEndAndTheNextFrameStartsAfterWhateverWasLeftUnread() throws Exception {
        InboundFrames frames = over(frame(8, 8, 1), frame(2, 2, 2));
        frames.next();
        byte[] four = new byte[4];
        frames.readAll(four, 0, 4);
        assertThrows(InboundFrames.Overrun.class, () -> frames.readAll(new byte[5], 0, 5), "5 bytes wanted, 4 left");
        assertThrows(InboundFrames.Overrun.class, () -> frames.checkReadBytesAvailable(5), "a claim larger than the rest of the frame");
        frames.next();
        byte[] two = new byte[2];
        frames.readAll(two, 0, 2);
        assertArrayEquals(new byte[] {2, 2}, two);
        assertThrows(InboundFrames.Overrun.class, () -> frames.readAll(new byte[1], 0, 1));
    }

    @Test
    void framesOverTheLimitOrNegativeAreRefusedBeforeAnyAllocation() throws Exception {
        for (int claim : new int[] {LIMIT + 1, -5, Integer.MAX_VALUE}) {
            InboundFrames frames = over(frame(claim, 10, 1));
            TTransportException e = assertThrows(TTransportException.class, frames::next);
            assertEquals(TTransportException.CORRUPTED_DATA, e.getType(), e.getMessage());
            assertTrue(frames.getBuffer().length == InboundFrames.FIRST_BUFFER_BYTES);
        }
    }

    @Test
    void aClientClosingBetweenFramesIsTheEndOfFile() throws Exception {
        TTransportException e = assertThrows(TTransportException.class, over()::next);
        assertEquals(TTransportException.END_OF_FILE, e.getType());
    }
}
