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
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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

    private record Child(VmbusWiring wiring, VmbusServer server, HostEffects effects) {}

    private final HypervisorServices hv;
    private final RootHypercalls hc;
    private final ChannelSignalFlags flags = new ChannelSignalFlags();
    /** Children by the root port id their control messages arrive on. */
    private final Map<Long, Child> byPort = new ConcurrentHashMap<>();
    private final Thread pump;
    /** Children whose control messages wait for room in their SynIC queue; served by the sender thread. */
    private final java.util.concurrent.LinkedBlockingQueue<HostEffects> backlogged = new java.util.concurrent.LinkedBlockingQueue<>();
    private final Thread sender;
    private volatile boolean closed;

    public VmbusHost(HypervisorServices hv) {
        this.hv = hv;
        this.hc = new RootHypercalls(hv.gateway());
        this.pump = Thread.ofPlatform().name("parvis-vmbus-pump").daemon(true).start(this::pumpMessages);
        this.sender = Thread.ofPlatform().name("parvis-vmbus-sender").daemon(true).start(this::retryBacklogs);
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
        HostEffects effects = new HostEffects(hv, hc, w, flags, backlogged::offer);
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

    private void pumpMessages() {
        while (!closed) {
            try {
                Optional<HvMessage> message = hv.rootSynic().take(VmbusWiring.ROOT_MESSAGE_SINT, Duration.ofMillis(100));
                message.ifPresent(this::deliver);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("VMBus pump: unexpected failure, continuing", e);
            }
        }
    }

    /** Retries held-back messages every millisecond until each child's queue has room again. */
    private void retryBacklogs() {
        while (!closed) {
            try {
                HostEffects effects = backlogged.take();
                if (!effects.drainBacklog()) {
                    Thread.sleep(1);
                    backlogged.offer(effects);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("VMBus sender: unexpected failure, continuing", e);
            }
        }
    }

    private void deliver(HvMessage message) {
        Child child = byPort.get(message.sender() & 0xFF_FFFFL);
        if (child == null) {
            LOG.debug("VMBus message from unknown port 0x{}", Long.toHexString(message.sender()));
            return;
        }
        byte[] payload = message.payload();
        child.server().onMessage(MemorySegment.ofArray(payload), payload.length);
    }

    @Override
    public void close() {
        closed = true;
        pump.interrupt();
        sender.interrupt();
        for (Child child : List.copyOf(byPort.values())) {
            detach(child.wiring().partitionId());
        }
    }
}
