package dev.parvis.vmbus.host;

import java.util.BitSet;

/**
 * Root connection ids for the extra targets a child may ask for (control messages to another VP or
 * SINT, channel signals to another VP), shared by every child: ids 0x50_0000 up, below the 24-bit
 * limit, apart from the ids {@link VmbusWiring} derives from partition ids.
 */
final class RootConnectionIds {
    private static final int FIRST = 0x50_0000;
    private static final int LIMIT = 0x100_0000;

    private final BitSet used = new BitSet();

    synchronized int allocate() {
        int index = used.nextClearBit(0);
        if (FIRST + index >= LIMIT) {
            throw new IllegalStateException("no root connection id left for a VMBus target");
        }
        used.set(index);
        return FIRST + index;
    }

    synchronized void free(int id) {
        used.clear(id - FIRST);
    }
}
