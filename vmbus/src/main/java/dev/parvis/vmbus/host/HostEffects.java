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
import java.util.concurrent.locks.LockSupport;
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
    /** Bounded retries while the child's message queue is full (the guest is slow to drain). */
    private static final int POST_RETRIES = 200;

    private final HypervisorServices hv;
    private final RootHypercalls hc;
    private final VmbusWiring wiring;
    private final ChannelSignalFlags flags;
    private final Map<Integer, ChannelSignalFlags.Flag> signals = new ConcurrentHashMap<>();
    private volatile VmbusServer server;

    HostEffects(HypervisorServices hv, RootHypercalls hc, VmbusWiring wiring, ChannelSignalFlags flags) {
        this.hv = hv;
        this.hc = hc;
        this.wiring = wiring;
        this.flags = flags;
    }

    void bind(VmbusServer server) {
        this.server = server;
    }

    @Override
    public void sendMessage(ChannelMessage message, GuestTarget target) {
        byte[] bytes = new byte[message.size()];
        message.write(MemorySegment.ofArray(bytes));
        HvMessageType type = new HvMessageType(VmbusConstants.HV_MESSAGE_TYPE);
        for (int attempt = 0; attempt < POST_RETRIES; attempt++) {
            HvStatus status = hc.postMessage(wiring.rootMessageConnection(), type, bytes);
            if (!status.equals(HvStatus.INSUFFICIENT_BUFFERS)) {
                if (!status.isSuccess()) {
                    LOG.warn("partition {}: VMBus {} not delivered: {}", wiring.partitionId(), message.type(), status);
                }
                return;
            }
            LockSupport.parkNanos(100_000L * (attempt + 1));
        }
        LOG.warn("partition {}: VMBus {} dropped, the guest's message queue stayed full", wiring.partitionId(), message.type());
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
