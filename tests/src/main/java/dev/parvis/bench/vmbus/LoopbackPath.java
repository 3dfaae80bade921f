package dev.parvis.bench.vmbus;

import dev.parvis.abi.vmbus.OfferChannel;
import dev.parvis.vmbus.client.ClientChannel;
import dev.parvis.vmbus.client.VmbusClient;
import dev.parvis.vmbus.client.VmbusClientException;
import dev.parvis.vmbus.loopback.Loopback;
import dev.parvis.vmbus.loopback.LoopbackGuestMemory;
import dev.parvis.vmbus.server.ServerConfig;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;

/**
 * The real Java VMBus data path, one way: a {@link VmbusClient} on the {@link Loopback} negotiates,
 * opens the {@link SinkDevice}'s channel and sends DATA_INBAND packets with
 * {@link ClientChannel#sendInband} on the caller's thread; the {@code VmbusServer}'s
 * {@code ServerChannel} worker (its own virtual thread) copies each packet out of the ring into its
 * receive buffer, commits and hands it to the sink, which only counts. Nothing comes back.
 */
public final class LoopbackPath implements AutoCloseable {
    private final LoopbackGuestMemory memory = new LoopbackGuestMemory(7);
    private final SinkDevice sink = new SinkDevice();
    private final Loopback loopback;
    private final ClientChannel channel;
    private final int ringDataBytes;

    /** Opens the sink channel with a guest-to-host ring of {@code ringDataPages} data pages. */
    public LoopbackPath(int ringDataPages) throws VmbusClientException {
        loopback = new Loopback(memory, ServerConfig.defaults(1), List.of(sink), Duration.ofSeconds(10));
        VmbusClient client = loopback.client();
        client.connect();
        OfferChannel offer = client.requestOffers().stream()
                .filter(o -> o.interfaceType().equals(SinkDevice.INTERFACE_TYPE))
                .findFirst().orElseThrow(() -> new VmbusClientException("the sink was not offered"));
        channel = client.open(offer, 1 + ringDataPages, 2);
        ringDataBytes = ringDataPages * 4096;
    }

    public int ringDataBytes() {
        return ringDataBytes;
    }

    /**
     * Seconds from the first send until the sink has counted all {@code packets} packets of
     * {@code payload}; the sender is the calling thread.
     */
    public double seconds(MemorySegment payload, long packets) throws VmbusClientException {
        long target = sink.packets() + packets;
        long t0 = System.nanoTime();
        for (long i = 0; i < packets; i++) {
            channel.sendInband(i, payload, false);
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (sink.packets() < target) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the sink counted " + sink.packets() + " of " + target + " packets");
            }
            Thread.onSpinWait();
        }
        long t1 = System.nanoTime();
        return (t1 - t0) / 1e9;
    }

    /** Guest-to-host channel signals so far (HvCallSignalEvent in a real guest). */
    public long signalsToHost() {
        return loopback.signalsToHost();
    }

    /** Host-to-guest signals so far (the server telling the client that ring space was freed). */
    public long signalsToGuest() {
        return loopback.signalsToGuest();
    }

    @Override
    public void close() throws Exception {
        try {
            channel.close();
        } finally {
            loopback.close();
            memory.close();
        }
    }
}
