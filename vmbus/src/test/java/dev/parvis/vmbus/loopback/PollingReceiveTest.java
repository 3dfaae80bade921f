package dev.parvis.vmbus.loopback;

import dev.parvis.vmbus.client.ClientChannel;
import dev.parvis.vmbus.ring.IncomingPacket;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ClientChannel#receivePolling}: a reader that looks at its ring keeps interrupt_mask set, so
 * the host does not signal it, and one that gives up clears the mask before it sleeps, so the host's
 * next packet signals and wakes it (Linux's hv_begin_read / hv_end_read).
 */
class PollingReceiveTest {
    private static final long LONG_SPIN = 5_000_000_000L;

    @Test
    void aPollingReaderIsNotSignalledForPacketsItFindsItself() throws Exception {
        try (EchoFixture f = new EchoFixture()) {
            ClientChannel channel = f.open(0);
            MemorySegment buffer = MemorySegment.ofArray(new byte[64 * 1024]);
            echo(channel, buffer, 1); // sets the mask; a signal for this first echo may already have gone
            long signalled = f.loopback.signalsToGuest();
            for (long tx = 2; tx <= 50; tx++) {
                echo(channel, buffer, tx);
            }
            assertEquals(signalled, f.loopback.signalsToGuest(), "the host signalled a reader with interrupt_mask set");
        }
    }

    @Test
    void anInterruptDrivenReaderIsSignalledForEachEcho() throws Exception {
        // The control for the test above: the same exchange through receive() costs a signal per echo.
        try (EchoFixture f = new EchoFixture()) {
            ClientChannel channel = f.open(0);
            MemorySegment buffer = MemorySegment.ofArray(new byte[64 * 1024]);
            long signalled = f.loopback.signalsToGuest();
            for (long tx = 1; tx <= 20; tx++) {
                channel.sendInband(tx, MemorySegment.ofArray(new byte[8]), false);
                assertEquals(tx, channel.receive(buffer).transactionId());
            }
            assertEquals(signalled + 20, f.loopback.signalsToGuest());
        }
    }

    @Test
    void aReaderThatGaveUpPollingIsWokenByTheNextPacket() throws Exception {
        try (EchoFixture f = new EchoFixture()) {
            ClientChannel channel = f.open(0);
            MemorySegment buffer = MemorySegment.ofArray(new byte[64 * 1024]);
            echo(channel, buffer, 1); // interrupt_mask is set now
            long signalled = f.loopback.signalsToGuest();
            CompletableFuture<IncomingPacket> received = CompletableFuture.supplyAsync(() -> {
                try {
                    return channel.receivePolling(buffer, 1_000_000); // 1 ms of looking, then sleep
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(200);
            channel.sendInband(2, MemorySegment.ofArray(new byte[8]), false);
            IncomingPacket echo = received.get(5, TimeUnit.SECONDS); // the fixture's timeout is 10 s
            assertNotNull(echo, "the reader slept through the host's packet");
            assertEquals(2, echo.transactionId());
            assertTrue(f.loopback.signalsToGuest() > signalled, "the echo was found without a signal");
        }
    }

    private static void echo(ClientChannel channel, MemorySegment buffer, long tx) throws Exception {
        channel.sendInband(tx, MemorySegment.ofArray(new byte[8]), false);
        IncomingPacket p = channel.receivePolling(buffer, LONG_SPIN);
        assertNotNull(p, "no echo");
        assertEquals(tx, p.transactionId());
    }
}
