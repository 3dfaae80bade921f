package dev.parvis.vmbus.host;

import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HvPortType;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.input.PortInfo;
import dev.parvis.abi.vmbus.ChannelMessage;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.vmbus.server.GuestTarget;
import dev.parvis.vmbus.server.ServerEffects;
import dev.parvis.vmbus.server.VmbusServer;
import dev.parvis.vmcore.GuestMemoryView;
import dev.parvis.vmcore.HypervisorServices;
import dev.parvis.vmcore.RootHypercalls;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One child's VMBus server effects as root hypercalls: control messages are HvCallPostMessage on
 * the root's connection to the child's SINT 2 port, guest signals HvCallSignalEvent on its event
 * connection (flag = relid), guest-to-root channel signals root event ports the server's channels
 * subscribe to, and GPADL pages kernel grants.
 */
final class HostEffects implements ServerEffects {
    private static final Logger LOG = LoggerFactory.getLogger(HostEffects.class);
    /**
     * Control messages held back while the child's SynIC queue is full. Bounded: a guest that stops
     * reading its messages loses the oldest answers, never the root's time (the pump thread serves
     * every child and must not wait on one).
     */
    static final int MAX_BACKLOG = 1024;

    private final HypervisorServices hv;
    private final RootHypercalls hc;
    private final VmbusWiring wiring;
    private final ChannelSignalFlags flags;
    private final Map<Integer, ChannelSignalFlags.Flag> signals = new ConcurrentHashMap<>();
    private volatile VmbusServer server;
    private final java.util.ArrayDeque<byte[]> backlog = new java.util.ArrayDeque<>();
    private final java.util.function.Consumer<HostEffects> retryLater;
    private long dropped;

    HostEffects(HypervisorServices hv, RootHypercalls hc, VmbusWiring wiring, ChannelSignalFlags flags,
                java.util.function.Consumer<HostEffects> retryLater) {
        this.hv = hv;
        this.hc = hc;
        this.wiring = wiring;
        this.flags = flags;
        this.retryLater = retryLater;
    }

    void bind(VmbusServer server) {
        this.server = server;
    }

    @Override
    public void sendMessage(ChannelMessage message, GuestTarget target) {
        byte[] bytes = new byte[message.size()];
        message.write(MemorySegment.ofArray(bytes));
        synchronized (this) {
            if (backlog.isEmpty() && post(bytes)) {
                return;
            }
            if (backlog.size() >= MAX_BACKLOG) {
                if (dropped++ % 1000 == 0) {
                    LOG.warn("partition {}: VMBus control messages dropped ({} so far): the guest does not read its SINT 2 queue",
                            wiring.partitionId(), dropped);
                }
                return;
            }
            backlog.addLast(bytes);
        }
        retryLater.accept(this);
    }

    /** Posts held-back messages in order; false while the child's queue is still full. */
    synchronized boolean drainBacklog() {
        while (!backlog.isEmpty()) {
            if (!post(backlog.peekFirst())) {
                return false;
            }
            backlog.removeFirst();
        }
        return true;
    }

    /** One post; false only when the child's queue is full and the message should be retried. */
    private boolean post(byte[] bytes) {
        HvStatus status = hc.postMessage(wiring.rootMessageConnection(), new HvMessageType(VmbusConstants.HV_MESSAGE_TYPE), bytes);
        if (status.equals(HvStatus.INSUFFICIENT_BUFFERS)) {
            return false;
        }
        if (!status.isSuccess()) {
            LOG.warn("partition {}: VMBus message not delivered: {}", wiring.partitionId(), status);
        }
        return true;
    }

    @Override
    public int createChannelSignal(int relid) {
        ChannelSignalFlags.Flag flag = flags.allocate();
        long root = hc.getPartitionId();
        int connection = VmbusWiring.channelConnection(relid);
        hc.createPort(root, flag.portId(), wiring.partitionId(),
                new PortInfo(HvPortType.EVENT, flag.sint(), 0, (short) flag.flag(), (short) 1));
        hc.connectPort(wiring.partitionId(), connection, root, flag.portId(), HvPortType.EVENT);
        // Runs on the guest's VP thread: onChannelSignal only unparks the channel's worker.
        hv.rootSynic().subscribe(flag.sint(), flag.flag(), () -> {
            VmbusServer s = server;
            if (s != null) {
                s.onChannelSignal(relid);
            }
        });
        signals.put(relid, flag);
        return connection;
    }

    @Override
    public void releaseChannelSignal(int relid) {
        ChannelSignalFlags.Flag flag = signals.remove(relid);
        if (flag == null) {
            return;
        }
        hv.rootSynic().unsubscribe(flag.sint(), flag.flag());
        quietly(() -> hc.disconnectPort(wiring.partitionId(), VmbusWiring.channelConnection(relid)));
        quietly(() -> hc.deletePort(hc.getPartitionId(), flag.portId()));
        hv.rootSynic().testAndClearEvent(flag.sint(), flag.flag());
        flags.free(flag);
    }

    @Override
    public void signalGuest(int relid, int targetVp) {
        HvStatus status = hc.signalEvent(wiring.rootEventConnection(), relid);
        if (!status.isSuccess()) {
            LOG.debug("partition {}: signal for relid {} not delivered: {}", wiring.partitionId(), relid, status);
        }
    }

    @Override
    public GuestMemoryView openGuestPages(long[] gpns) {
        return hv.grants().open(wiring.partitionId(), gpns);
    }

    /** Drops every signal path (the partition is going away; the kernel removes its ports). */
    void releaseAll() {
        for (Integer relid : java.util.List.copyOf(signals.keySet())) {
            releaseChannelSignal(relid);
        }
    }

    private static void quietly(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.debug("cleanup: {}", e.getMessage());
        }
    }
}
