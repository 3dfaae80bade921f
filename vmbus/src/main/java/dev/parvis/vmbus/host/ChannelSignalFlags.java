package dev.parvis.vmbus.host;

import dev.parvis.abi.hv.HvSynic;
import java.util.BitSet;

/** Hands out root (SINT, flag) pairs for guest-to-root channel signals, one per open signal path. */
final class ChannelSignalFlags {
    /** A root SINT and event flag, with the root port id that owns it. */
    record Flag(int sint, int flag, int portId) {}

    private final BitSet used = new BitSet();

    synchronized Flag allocate() {
        int index = used.nextClearBit(0);
        if (index >= VmbusWiring.maxChannelSignals()) {
            throw new IllegalStateException("all " + VmbusWiring.maxChannelSignals() + " root channel signal flags are in use");
        }
        used.set(index);
        int sint = VmbusWiring.FIRST_ROOT_EVENT_SINT + index / HvSynic.EVENT_FLAGS_COUNT;
        // Root event ports: 0x40_0000 + index keeps them apart from every other root port id.
        return new Flag(sint, index % HvSynic.EVENT_FLAGS_COUNT, 0x40_0000 + index);
    }

    synchronized void free(Flag flag) {
        used.clear(flag.portId() - 0x40_0000);
    }
}
