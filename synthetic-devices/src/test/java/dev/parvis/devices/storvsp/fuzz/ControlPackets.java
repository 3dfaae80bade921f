package dev.parvis.devices.storvsp.fuzz;

import dev.parvis.abi.vmbus.PacketType;
import dev.parvis.devices.storvsp.fuzz.StorVspModel.Phase;
import java.util.Random;

/**
 * The fuzzing guest's other packets: the handshake's next step (now and then with a version the
 * host does not speak), any vstor operation in any phase, packets of random type, flags, header and
 * payload, and packets larger than the channel's receive buffer.
 */
final class ControlPackets {
    private static final int[] OPERATIONS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0, 0x7FFFFFFF};
    /** Larger than any storvsp packet (StorVsp.maxPacketBytes): the VMBus server closes the channel. */
    private static final int OVERSIZE = 8192;

    private ControlPackets() {
    }

    /** What Linux's storvsc sends next: BEGIN, a version query, the properties query, END. */
    static Draft handshakeStep(Random random, Phase phase) {
        return switch (phase) {
            case Phase.AwaitingBegin a -> control(random, 7, 0);
            case Phase.Negotiating n when n.version() == 0 -> control(random, 9, version(random));
            case Phase.Negotiating n -> {
                int pick = random.nextInt(10);
                yield control(random, pick < 4 ? 10 : pick < 9 ? 8 : 9, version(random));
            }
            case Phase.Ready r -> control(random, 7, 0);
        };
    }

    private static int version(Random random) {
        int pick = random.nextInt(10);
        return pick < 8 ? StorVspModel.ACCEPTED_VERSIONS.get(pick % 5 == 4 ? random.nextInt(5) : 0)
                : random.nextInt(0x10000);
    }

    /** Any operation (a random version in its body), at the size a storvsc of {@code version} sends. */
    static Draft any(Random random, int version) {
        Draft d = control(random, OPERATIONS[random.nextInt(OPERATIONS.length)], version(random));
        d.sendBytes = random.nextBoolean() ? StorVspModel.packetSize(version) : 64;
        if (random.nextInt(4) == 0) {
            d.sendBytes = random.nextInt(80);
            d.label("payload of " + d.sendBytes + " bytes");
        }
        if (random.nextInt(8) == 0) {
            d.type = PacketType.DATA_USING_GPA_DIRECT;
            d.header = SrbTemplates.header(0).putInt(0).putInt(random.nextInt(2)).array();
            d.label("in a GPA-direct packet");
        }
        return d;
    }

    private static Draft control(Random random, int operation, int version) {
        Draft d = new Draft();
        d.vstor().putInt(0, operation).putInt(4, 1).putShort(12, (short) version);
        if (random.nextInt(10) == 0) {
            d.vstor().putInt(4, random.nextInt()).putInt(8, random.nextInt());
        }
        d.label("operation " + operation + (operation == 9 ? " version 0x" + Integer.toHexString(version) : ""));
        return d;
    }

    /** A packet of random type and flags, random header and payload (sometimes a small operation code). */
    static Draft raw(Random random) {
        Draft d = new Draft();
        int pick = random.nextInt(10);
        d.type = pick < 3 ? PacketType.DATA_INBAND : pick < 5 ? PacketType.DATA_USING_GPA_DIRECT
                : PacketType.of(pick < 8 ? random.nextInt(16) : random.nextInt(0x10000));
        d.flags = random.nextBoolean() ? random.nextInt(2) : random.nextInt(0x10000);
        if (random.nextInt(10) < 7) {
            d.header = new byte[random.nextInt(64)];
            random.nextBytes(d.header);
        }
        d.payload = new byte[random.nextInt(4) == 0 ? 48 + random.nextInt(17) : random.nextInt(300)];
        random.nextBytes(d.payload);
        if (d.payload.length >= 4 && random.nextBoolean()) {
            d.vstor().putInt(0, random.nextInt(16));
        }
        d.sendBytes = d.payload.length;
        d.label("raw packet");
        return d;
    }

    /** A packet past the receive buffer, of data or any other type. */
    static Draft oversize(Random random) {
        Draft d = raw(random);
        d.payload = new byte[OVERSIZE + random.nextInt(800)];
        random.nextBytes(d.payload);
        d.sendBytes = d.payload.length;
        d.label(d.payload.length + " bytes");
        return d;
    }
}
