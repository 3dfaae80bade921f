package dev.parvis.root.loader;

/**
 * The ports and connections the loader wires between the root and one child.
 *
 * @param rootMessagePortId   root port receiving the child's messages (the sender field of those messages)
 * @param rootEventFlag       flag of {@link #ROOT_EVENT_SINT} the child's SignalEvent sets
 * @param rootToChildConnection the root's connection for posting to the child
 */
public record ChildChannels(long partitionId, int rootMessagePortId, int rootEventFlag, int rootToChildConnection) {
    /** Root SINT on which children's messages arrive. */
    public static final int ROOT_MESSAGE_SINT = 1;
    /** Root SINT whose event flags children signal. */
    public static final int ROOT_EVENT_SINT = 2;
    /** The child's connection ids towards the root (in the child's namespace); VMBus keeps 1-4. */
    public static final int CHILD_MESSAGE_CONNECTION = 0x100;
    public static final int CHILD_EVENT_CONNECTION = 0x101;
    /** The child's own port that receives root messages. */
    public static final int CHILD_PORT_ID = 0x100;

    /** The channels the loader wires for child {@code partitionId} (known before the child starts). */
    public static ChildChannels of(long partitionId) {
        return forPartition(partitionId);
    }

    static ChildChannels forPartition(long partitionId) {
        return new ChildChannels(partitionId, (int) (partitionId * 2), (int) (partitionId % 2048), (int) partitionId);
    }
}
