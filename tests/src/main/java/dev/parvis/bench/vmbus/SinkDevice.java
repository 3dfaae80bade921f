package dev.parvis.bench.vmbus;

import dev.parvis.abi.vmbus.Guid;
import dev.parvis.abi.vmbus.PacketType;
import dev.parvis.vmbus.device.ChannelHandler;
import dev.parvis.vmbus.device.VmbusChannel;
import dev.parvis.vmbus.device.VmbusDeviceClass;
import dev.parvis.vmbus.ring.IncomingPacket;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A benchmark-only VMBus device: counts the DATA_INBAND packets and payload bytes it receives and
 * sends nothing back, so a measurement sees one direction of the channel only. Offered only by the
 * {@code vmbus} benchmark; the {@code vmbus-blast} guest finds it by {@link #INTERFACE_TYPE}.
 */
public final class SinkDevice implements VmbusDeviceClass {
    /** Interface type of the bench sink (guest-sdk/guests/vmbus-blast/main.c: BENCH_SINK_GUID). */
    public static final Guid INTERFACE_TYPE = Guid.parse("b1a57000-5e11-4b0c-9a6e-50415256424e");
    public static final Guid INSTANCE = Guid.parse("b1a57000-5e11-4b0c-9a6e-000000000001");

    /** Written by the channel worker alone (release stores), read by the benchmark. */
    private final AtomicLong packets = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    @Override
    public Guid interfaceType() {
        return INTERFACE_TYPE;
    }

    @Override
    public Guid instance() {
        return INSTANCE;
    }

    /** The bench sends 64 KiB payloads through the Java path: room for them and the descriptor. */
    @Override
    public int maxPacketBytes() {
        return 64 * 1024 + 4096;
    }

    @Override
    public ChannelHandler open(VmbusChannel channel) {
        return new ChannelHandler() {
            private long packetCount = packets.get();
            private long byteCount = bytes.get();

            @Override
            public void onPacket(IncomingPacket packet) {
                if (packet.type().equals(PacketType.DATA_INBAND)) {
                    byteCount += packet.payload().byteSize();
                    bytes.lazySet(byteCount);
                    packets.lazySet(++packetCount);
                }
            }

            @Override
            public void onClose() {
            }
        };
    }

    public long packets() {
        return packets.get();
    }

    public long bytes() {
        return bytes.get();
    }
}
