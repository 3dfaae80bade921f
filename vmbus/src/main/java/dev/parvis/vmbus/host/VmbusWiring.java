package dev.parvis.vmbus.host;

import dev.parvis.abi.hv.HvSynic;
import dev.parvis.abi.vmbus.VmbusConstants;

/**
 * The ids the root uses for one child's VMBus: root SINTs, port ids and root connection ids. Root
 * ids live in the root's namespaces, so each carries the child's partition id (children are
 * numbered below 2^20, ids are 24-bit).
 */
public record VmbusWiring(long partitionId) {
    /** Root SINT receiving every child's VMBus control messages. */
    public static final int ROOT_MESSAGE_SINT = 3;
    /** First root SINT whose event flags carry guest-to-root channel signals. */
    public static final int FIRST_ROOT_EVENT_SINT = 4;
    /** The child's own ports (child namespace): control messages and channel events on SINT 2. */
    public static final int CHILD_MESSAGE_PORT = 2;
    public static final int CHILD_EVENT_PORT = 3;

    public VmbusWiring {
        if (partitionId <= 0 || partitionId >= (1 << 20)) {
            throw new IllegalArgumentException("partition id " + partitionId + " outside the VMBus wiring range");
        }
    }

    /** The child's message port for control messages to VP {@code vp}, SINT {@code sint} (not VP 0, SINT 2). */
    public static int childMessagePort(int vp, int sint) {
        return 0x2_0000 | vp << 4 | sint;
    }

    /** The child's event port for channel signals to VP {@code vp} (not VP 0). */
    public static int childEventPort(int vp) {
        return 0x3_0000 | vp;
    }

    /** Root port the child's connections 1 and 4 reach; also the sender id of its messages. */
    public int rootMessagePort() {
        return 0x10_0000 | (int) partitionId;
    }

    /** Root connection to the child's message port. */
    public int rootMessageConnection() {
        return 0x20_0000 | (int) partitionId;
    }

    /** Root connection to the child's event port (flag = relid). */
    public int rootEventConnection() {
        return 0x30_0000 | (int) partitionId;
    }

    /** The channel's guest-to-root connection id, as OpenVMM numbers them. */
    public static int channelConnection(int relid) {
        return VmbusConstants.CHANNEL_CONNECTION_ID_BASE | relid;
    }

    /** Largest number of open channel signal paths across all children. */
    public static int maxChannelSignals() {
        return (HvSynic.SINT_COUNT - FIRST_ROOT_EVENT_SINT) * HvSynic.EVENT_FLAGS_COUNT;
    }
}
