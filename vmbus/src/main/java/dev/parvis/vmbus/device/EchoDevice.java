package dev.parvis.vmbus.device;

import dev.parvis.abi.vmbus.DeviceClass;
import dev.parvis.abi.vmbus.Guid;
import dev.parvis.abi.vmbus.PacketType;
import dev.parvis.vmbus.ring.IncomingPacket;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Parvis's test device ({@code DeviceClass.ECHO}): every DATA_INBAND packet goes back to the guest
 * as a DATA_INBAND packet with the same transaction id and payload. Counts what it echoed, over
 * every channel it served, so the root can report it.
 */
public final class EchoDevice implements VmbusDeviceClass {
    /** The largest payload the echo device takes: 64 KiB. */
    public static final int MAX_PAYLOAD = 64 * 1024;
    public static final Guid DEFAULT_INSTANCE = Guid.parse("7a0c6d1e-0000-4000-8000-000000000001");

    private final Guid instance;
    private final AtomicLong packetsIn = new AtomicLong();
    private final AtomicLong bytesIn = new AtomicLong();
    private final AtomicLong packetsOut = new AtomicLong();
    private final AtomicLong bytesOut = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong ignored = new AtomicLong();

    public EchoDevice() {
        this(DEFAULT_INSTANCE);
    }

    public EchoDevice(Guid instance) {
        this.instance = instance;
    }

    @Override
    public Guid interfaceType() {
        return DeviceClass.ECHO;
    }

    @Override
    public Guid instance() {
        return instance;
    }

    /** Echoes payloads up to 64 KiB (the vmbus-echo guest's largest), plus room for the descriptor. */
    @Override
    public int maxPacketBytes() {
        return MAX_PAYLOAD + 4096;
    }

    @Override
    public ChannelHandler open(VmbusChannel channel) {
        return new ChannelHandler() {
            @Override
            public void onPacket(IncomingPacket packet) {
                if (!packet.type().equals(PacketType.DATA_INBAND)) {
                    ignored.incrementAndGet();
                    return;
                }
                long size = packet.payload().byteSize();
                packetsIn.incrementAndGet();
                bytesIn.addAndGet(size);
                SendResult result = channel.sendInband(packet.transactionId(), packet.payload(), false);
                if (result == SendResult.SENT) {
                    packetsOut.incrementAndGet();
                    bytesOut.addAndGet(size);
                } else {
                    dropped.incrementAndGet();
                }
            }

            @Override
            public void onClose() {
            }
        };
    }

    public Counters counters() {
        return new Counters(packetsIn.get(), bytesIn.get(), packetsOut.get(), bytesOut.get(), dropped.get(), ignored.get());
    }

    /** Echo totals: packets and payload bytes received and sent back, echoes not sent, non-in-band packets ignored. */
    public record Counters(long packetsIn, long bytesIn, long packetsOut, long bytesOut, long dropped, long ignored) {
    }
}
