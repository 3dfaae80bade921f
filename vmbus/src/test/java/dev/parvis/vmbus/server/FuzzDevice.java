package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.DeviceClass;
import dev.parvis.abi.vmbus.Guid;
import dev.parvis.vmbus.device.ChannelHandler;
import dev.parvis.vmbus.device.EchoDevice;
import dev.parvis.vmbus.device.VmbusChannel;
import dev.parvis.vmbus.device.VmbusDeviceClass;
import dev.parvis.vmbus.ring.IncomingPacket;

import java.util.ArrayList;
import java.util.List;

/**
 * An echo device for {@link ServerSequenceFuzzTest} that keeps count of its handlers in a ledger
 * shared by every server of a sequence: each open's handler must be closed exactly once, and none
 * may be left open after the guest unloads. The fuzzer steers its opens through the ledger's mode:
 * {@link #REFUSE} refuses them (the guest gets a failed result), {@link #BREAK} throws an Error
 * (the host failed: the server fails the connection).
 */
final class FuzzDevice implements VmbusDeviceClass {
    static final int ACCEPT = 0;
    static final int REFUSE = 1;
    static final int BREAK = 2;

    /** Handlers opened and closed by every device of a sequence, and how their opens go. */
    static final class Ledger {
        private final List<String> violations = new ArrayList<>();
        private int opened;
        private int closed;
        /** {@link #ACCEPT}, {@link #REFUSE} or {@link #BREAK}: what every device's open does. */
        volatile int mode = ACCEPT;

        synchronized int live() {
            return opened - closed;
        }

        synchronized List<String> takeViolations() {
            List<String> out = List.copyOf(violations);
            violations.clear();
            return out;
        }

        synchronized void open() {
            opened++;
        }

        synchronized void close(int relid, boolean again) {
            if (again) {
                violations.add("the handler of a channel of relid " + relid + " was closed twice");
            } else {
                closed++;
            }
        }
    }

    private final Guid instance;
    private final Ledger ledger;

    FuzzDevice(int index, Ledger ledger) {
        this.instance = Guid.parse("7a0c6d1e-0000-4000-8000-0000000000%02x".formatted(index));
        this.ledger = ledger;
    }

    /** The index a device's instance was made from. */
    static int index(Guid instance) {
        String s = instance.toString();
        return Integer.parseInt(s.substring(s.length() - 2), 16);
    }

    @Override
    public Guid interfaceType() {
        return DeviceClass.ECHO;
    }

    @Override
    public Guid instance() {
        return instance;
    }

    @Override
    public int maxPacketBytes() {
        return 8192;
    }

    @Override
    public ChannelHandler open(VmbusChannel channel) {
        switch (ledger.mode) {
            case REFUSE -> throw new IllegalStateException("the fuzzer's device refuses to open");
            case BREAK -> throw new AssertionError("the fuzzer's device breaks");
            default -> ledger.open();
        }
        ChannelHandler echo = new EchoDevice(instance).open(channel);
        return new ChannelHandler() {
            private boolean closed;

            @Override
            public void onPacket(IncomingPacket packet) {
                echo.onPacket(packet);
            }

            @Override
            public synchronized void onClose() {
                ledger.close(channel.relid(), closed);
                closed = true;
            }
        };
    }

    @Override
    public String toString() {
        return "FuzzDevice[" + instance + "]";
    }
}
