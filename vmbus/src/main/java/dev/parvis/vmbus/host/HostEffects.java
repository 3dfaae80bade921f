package dev.parvis.vmbus.host;

import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HvPortType;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.HvSynic;
import dev.parvis.abi.hv.input.PortInfo;
import dev.parvis.abi.vmbus.ChannelMessage;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.vmbus.server.GuestTarget;
import dev.parvis.vmbus.server.ServerEffects;
import dev.parvis.vmbus.server.VmbusServer;
import dev.parvis.vmcore.GuestMemoryView;
import dev.parvis.vmcore.GuestRamWindow;
import dev.parvis.vmcore.HypervisorServices;
import dev.parvis.vmcore.RootHypercalls;
import dev.parvis.vmcore.log.LogBudget;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One child's VMBus server effects as root hypercalls: control messages are HvCallPostMessage on
 * the root's connection to the child's SINT 2 port, guest signals HvCallSignalEvent on its event
 * connection (flag = relid), guest-to-root channel signals root event ports the server's channels
 * subscribe to, and GPADL pages kernel grants.
 *
 * <p>A full SynIC queue is the server's business (it keeps the message); this class only schedules
 * the server's retry on the host's shared scheduler, one pending retry per child, backing off from
 * 1 ms to 64 ms while the child keeps its queue full, so no thread ever sleeps for one child.
 */
final class HostEffects implements ServerEffects {
    private static final Logger LOG = LoggerFactory.getLogger(HostEffects.class);
    private static final long FIRST_RETRY_MICROS = 1_000;
    private static final long LAST_RETRY_MICROS = 64_000;

    private final HypervisorServices hv;
    private final RootHypercalls hc;
    private final VmbusWiring wiring;
    private final ChannelSignalFlags flags;
    private final ScheduledExecutorService retries;
    private final RootConnectionIds connectionIds;
    private final Map<Integer, ChannelSignalFlags.Flag> signals = new ConcurrentHashMap<>();
    /** Root connections to the child's message ports by (VP, SINT), beyond the default (VP 0, SINT 2). */
    private final Map<GuestTarget, Integer> messageTargets = new ConcurrentHashMap<>();
    /** Root connections to the child's event ports by VP, beyond VP 0. */
    private final Map<Integer, Integer> eventTargets = new ConcurrentHashMap<>();
    private final AtomicBoolean retryScheduled = new AtomicBoolean();
    /** Lines this child can cause (a failed post, a signal that failed): its own budget. */
    private final LogBudget logBudget = LogBudget.standard();
    private volatile long retryMicros = FIRST_RETRY_MICROS;
    private volatile VmbusServer server;
    private GuestRamWindow window;

    HostEffects(HypervisorServices hv, RootHypercalls hc, VmbusWiring wiring, ChannelSignalFlags flags,
                RootConnectionIds connectionIds, ScheduledExecutorService retries) {
        this.hv = hv;
        this.hc = hc;
        this.wiring = wiring;
        this.flags = flags;
        this.connectionIds = connectionIds;
        this.retries = retries;
    }

    void bind(VmbusServer server) {
        this.server = server;
    }

    @Override
    public boolean sendMessage(ChannelMessage message, GuestTarget target) {
        byte[] bytes = new byte[message.size()];
        message.write(MemorySegment.ofArray(bytes));
        HvStatus status = hc.postMessage(messageConnection(target), new HvMessageType(VmbusConstants.HV_MESSAGE_TYPE), bytes);
        if (status.equals(HvStatus.INSUFFICIENT_BUFFERS)) {
            return false;
        }
        retryMicros = FIRST_RETRY_MICROS;
        if (!status.isSuccess()) {
            logBudget.warn(LOG, "partition {}: VMBus message not delivered: {}", wiring.partitionId(), status);
        }
        return true;
    }

    /**
     * The root connection to the child's message port for {@code target}: the default one for VP 0,
     * SINT 2, else a port on that VP and SINT made the first time the guest asks for it
     * (INITIATE_CONTACT's target_vcpu and, from 5.0, its message SINT).
     */
    private int messageConnection(GuestTarget target) {
        if (target.vp() == 0 && target.sint() == VmbusConstants.MESSAGE_SINT) {
            return wiring.rootMessageConnection();
        }
        return messageTargets.computeIfAbsent(target, t -> connectChildPort(VmbusWiring.childMessagePort(t.vp(), t.sint()),
                PortInfo.message(t.sint(), t.vp()), HvPortType.MESSAGE));
    }

    /** The root connection for signals to VP {@code vp} (OPEN_CHANNEL's target_vp, MODIFY_CHANNEL). */
    private int eventConnection(int vp) {
        if (vp == 0) {
            return wiring.rootEventConnection();
        }
        return eventTargets.computeIfAbsent(vp, v -> connectChildPort(VmbusWiring.childEventPort(v),
                PortInfo.event(VmbusConstants.MESSAGE_SINT, v, (short) 0, (short) HvSynic.EVENT_FLAGS_COUNT), HvPortType.EVENT));
    }

    private int connectChildPort(int childPort, PortInfo info, int type) {
        long root = hc.getPartitionId();
        int connection = connectionIds.allocate();
        hc.createPort(wiring.partitionId(), childPort, root, info);
        hc.connectPort(root, connection, wiring.partitionId(), childPort, type);
        return connection;
    }

    @Override
    public void retryLater() {
        if (!retryScheduled.compareAndSet(false, true)) {
            return;
        }
        long delay = retryMicros;
        retryMicros = Math.min(LAST_RETRY_MICROS, delay * 2);
        retries.schedule(this::retry, delay, TimeUnit.MICROSECONDS);
    }

    /** On the shared retry thread: one flush of this child's server; a failure fails this child only. */
    private void retry() {
        retryScheduled.set(false);
        VmbusServer s = server;
        if (s == null) {
            return;
        }
        try {
            s.flush();
        } catch (Throwable t) {
            VmbusHost.failChild(s, wiring, "retrying its messages failed", t);
        }
    }

    @Override
    public int createChannelSignal(int relid) {
        ChannelSignalFlags.Flag flag = flags.allocate();
        long root = hc.getPartitionId();
        int connection = VmbusWiring.channelConnection(relid);
        hc.createPort(root, flag.portId(), wiring.partitionId(),
                new PortInfo(HvPortType.EVENT, flag.sint(), 0, (short) flag.flag(), (short) 1));
        hc.connectPort(wiring.partitionId(), connection, root, flag.portId(), HvPortType.EVENT);
        hv.rootSynic().subscribe(flag.sint(), flag.flag(), () -> onSignal(relid));
        signals.put(relid, flag);
        return connection;
    }

    /** Runs on the signalling guest's VP thread: hands off to the channel, never throws into the kernel. */
    private void onSignal(int relid) {
        VmbusServer s = server;
        if (s == null) {
            return;
        }
        try {
            s.onChannelSignal(relid);
        } catch (Throwable t) {
            logBudget.error(LOG, "partition {}: VMBus signal for relid {} failed", wiring.partitionId(), relid, t);
        }
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
        HvStatus status = hc.signalEvent(eventConnection(targetVp), relid);
        if (!status.isSuccess()) {
            LOG.debug("partition {}: signal for relid {} not delivered: {}", wiring.partitionId(), relid, status);
        }
    }

    @Override
    public GuestMemoryView openGuestPages(long[] gpns) {
        return hv.grants().open(wiring.partitionId(), gpns);
    }

    @Override
    public synchronized GuestRamWindow guestRam() {
        if (window == null) {
            window = hv.grants().openWindow(wiring.partitionId());
        }
        return window;
    }

    @Override
    public void log(String line) {
        LOG.warn("partition {}: {}", wiring.partitionId(), line);
    }

    /** Drops every signal path (the partition is going away; the kernel removes its ports). */
    void releaseAll() {
        server = null;
        GuestRamWindow ram;
        synchronized (this) {
            ram = window;
            window = null;
        }
        if (ram != null) {
            ram.close();
        }
        for (Integer relid : List.copyOf(signals.keySet())) {
            releaseChannelSignal(relid);
        }
        long root = hc.getPartitionId();
        for (int connection : List.copyOf(messageTargets.values())) {
            quietly(() -> hc.disconnectPort(root, connection));
            connectionIds.free(connection);
        }
        for (int connection : List.copyOf(eventTargets.values())) {
            quietly(() -> hc.disconnectPort(root, connection));
            connectionIds.free(connection);
        }
        messageTargets.clear();
        eventTargets.clear();
    }

    private static void quietly(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.debug("cleanup: {}", e.getMessage());
        }
    }
}
