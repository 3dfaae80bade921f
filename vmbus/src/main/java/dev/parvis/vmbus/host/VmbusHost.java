package dev.parvis.vmbus.host;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvPortType;
import dev.parvis.abi.hv.HvSynic;
import dev.parvis.abi.hv.input.PortInfo;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.vmbus.device.VmbusDeviceClass;
import dev.parvis.vmbus.server.ServerConfig;
import dev.parvis.vmbus.server.VmbusServer;
import dev.parvis.vmcore.HypervisorServices;
import dev.parvis.vmcore.RootHypercalls;
import dev.parvis.vmcore.log.LogBudget;
import dev.parvis.vmcore.log.LogBudgets;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The root's VMBus service for every child: {@link #attach} wires a child's VMBus connections and
 * gives it a {@link VmbusServer} with the device classes it should see; one pump thread moves
 * control messages from root SINT {@link VmbusWiring#ROOT_MESSAGE_SINT} to the child's server (the
 * sender field, the root port id, says which child posted it).
 */
public final class VmbusHost implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VmbusHost.class);
    /** Host failures while serving a child: a line budget per child, so one child cannot flood the log. */
    private static final LogBudgets FAILURES = LogBudgets.standard();
    private static final LogBudget PUMP_LOG = LogBudget.standard();
    /** How long the pump waits for a message before it looks at waiting settle() calls. */
    private static final Duration PUMP_WAIT = Duration.ofMillis(10);
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(5);
    /** One settle pass delivers at most the root queue's depth (the queue cannot hold more). */
    private static final int MAX_SETTLE_MESSAGES = 8192;

    private record Child(VmbusWiring wiring, VmbusServer server, HostEffects effects) {}

    private final HypervisorServices hv;
    private final RootHypercalls hc;
    private final ChannelSignalFlags flags = new ChannelSignalFlags();
    private final RootConnectionIds connectionIds = new RootConnectionIds();
    /** Children by the root port id their control messages arrive on. */
    private final Map<Long, Child> byPort = new ConcurrentHashMap<>();
    private final Thread pump;
    /** Retries of children's undelivered control messages: one pending task per child at most, none sleeps. */
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("parvis-vmbus-retry").daemon(true).factory());
    private final java.util.concurrent.ConcurrentLinkedQueue<CompletableFuture<Void>> settles =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    public VmbusHost(HypervisorServices hv) {
        this.hv = hv;
        this.hc = new RootHypercalls(hv.gateway());
        this.pump = Thread.ofPlatform().name("parvis-vmbus-pump").daemon(true).start(this::pumpMessages);
    }

    /**
     * Wires VMBus for a child before it starts: connections 1 and 4 to a root message port, and
     * root connections to the child's SINT 2 message and event ports. The child sees {@code devices}.
     */
    public VmbusServer attach(long partitionId, int vpCount, List<VmbusDeviceClass> devices) {
        VmbusWiring w = new VmbusWiring(partitionId);
        long root = hc.getPartitionId();
        int sint = VmbusConstants.MESSAGE_SINT;
        hc.createPort(root, w.rootMessagePort(), partitionId, new PortInfo(HvPortType.MESSAGE, VmbusWiring.ROOT_MESSAGE_SINT, 0, (short) 0, (short) 0));
        hc.connectPort(partitionId, VmbusConstants.MESSAGE_CONNECTION_ID, root, w.rootMessagePort(), HvPortType.MESSAGE);
        hc.connectPort(partitionId, VmbusConstants.MESSAGE_CONNECTION_ID_4, root, w.rootMessagePort(), HvPortType.MESSAGE);
        hc.createPort(partitionId, VmbusWiring.CHILD_MESSAGE_PORT, root, new PortInfo(HvPortType.MESSAGE, sint, 0, (short) 0, (short) 0));
        hc.connectPort(root, w.rootMessageConnection(), partitionId, VmbusWiring.CHILD_MESSAGE_PORT, HvPortType.MESSAGE);
        hc.createPort(partitionId, VmbusWiring.CHILD_EVENT_PORT, root,
                new PortInfo(HvPortType.EVENT, sint, 0, (short) 0, (short) HvSynic.EVENT_FLAGS_COUNT));
        hc.connectPort(root, w.rootEventConnection(), partitionId, VmbusWiring.CHILD_EVENT_PORT, HvPortType.EVENT);
        HostEffects effects = new HostEffects(hv, hc, w, flags, connectionIds, retries);
        VmbusServer server = new VmbusServer(effects, ServerConfig.defaults(vpCount));
        effects.bind(server);
        devices.forEach(server::addDevice);
        byPort.put((long) w.rootMessagePort(), new Child(w, server, effects));
        LOG.debug("partition {}: VMBus wired, {} device class(es)", partitionId, devices.size());
        return server;
    }

    /** Forgets a child (after its partition is deleted): closes its channels and frees its signal paths. */
    public void detach(long partitionId) {
        Child child = byPort.remove((long) new VmbusWiring(partitionId).rootMessagePort());
        if (child != null) {
            child.server().close();
            child.effects().releaseAll();
        }
    }

    public Optional<VmbusServer> server(long partitionId) {
        return Optional.ofNullable(byPort.get((long) new VmbusWiring(partitionId).rootMessagePort())).map(Child::server);
    }

    /**
     * The one thread that serves every child's control messages. Whatever one child's message does
     * to it (any Throwable, an OutOfMemoryError included) fails that child's connection only; the
     * pump goes on with the next message.
     */
    private void pumpMessages() {
        while (!closed) {
            Optional<HvMessage> message;
            try {
                message = hv.rootSynic().take(VmbusWiring.ROOT_MESSAGE_SINT, PUMP_WAIT);
            } catch (InterruptedException e) {
                return;
            } catch (Throwable t) {
                PUMP_LOG.error(LOG, "VMBus pump: taking a message failed, continuing", t);
                continue;
            }
            message.ifPresent(this::deliver);
            settleWaiting();
        }
    }

    /**
     * Delivers every control message already queued on the root's VMBus SINT, in order, on the pump
     * thread, and returns once they are with their servers. A VM save calls it after suspending the
     * child (which then posts nothing more) and before freezing its server, so no message the guest
     * posted is left behind in the root's queue when the partition goes away.
     */
    public void settle() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        settles.add(done);
        try {
            done.get(SETTLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while VMBus settled", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("VMBus control messages did not settle: " + e.getMessage(), e);
        }
    }

    /** On the pump thread: drains the queue (bounded, as one pass) for every settle() waiting. */
    private void settleWaiting() {
        if (settles.isEmpty()) {
            return;
        }
        List<CompletableFuture<Void>> waiting = new java.util.ArrayList<>();
        for (CompletableFuture<Void> f; (f = settles.poll()) != null; ) {
            waiting.add(f);
        }
        for (int i = 0; i < MAX_SETTLE_MESSAGES; i++) {
            Optional<HvMessage> next = hv.rootSynic().poll(VmbusWiring.ROOT_MESSAGE_SINT);
            if (next.isEmpty()) {
                break;
            }
            deliver(next.get());
        }
        waiting.forEach(f -> f.complete(null));
    }

    private void deliver(HvMessage message) {
        Child child = byPort.get(message.sender() & 0xFF_FFFFL);
        if (child == null) {
            LOG.debug("VMBus message from unknown port 0x{}", Long.toHexString(message.sender()));
            return;
        }
        try {
            byte[] payload = message.payload();
            child.server().onMessage(MemorySegment.ofArray(payload), payload.length);
        } catch (Throwable t) {
            failChild(child.server(), child.wiring(), "serving its control message failed", t);
        }
    }

    /** Fails one child's VMBus connection after a host-side Throwable while serving it; never throws. */
    static void failChild(VmbusServer server, VmbusWiring wiring, String what, Throwable cause) {
        try {
            FAILURES.of(wiring.partitionId()).error(LOG, "partition {}: VMBus {}; its connection fails",
                    wiring.partitionId(), what, cause);
            server.fail(what + ": " + cause);
        } catch (Throwable again) {
            // Nothing more can be done for this child; the pump must go on for the others.
        }
    }

    @Override
    public void close() {
        closed = true;
        pump.interrupt();
        retries.shutdownNow();
        for (Child child : List.copyOf(byPort.values())) {
            detach(child.wiring().partitionId());
        }
    }
}
