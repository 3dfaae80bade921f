package dev.parvis.hv;

import dev.parvis.abi.hv.HvPartitionPrivilege;
import dev.parvis.hv.backend.BackendCapability;
import dev.parvis.hv.backend.ProcessorBackend;
import dev.parvis.hv.hypercall.DebugCalls;
import dev.parvis.hv.hypercall.HypercallDispatcher;
import dev.parvis.hv.hypercall.MemoryCalls;
import dev.parvis.hv.hypercall.PartitionCalls;
import dev.parvis.hv.hypercall.StatsCalls;
import dev.parvis.hv.hypercall.SynicCalls;
import dev.parvis.hv.hypercall.VpCalls;
import dev.parvis.hv.hypercall.VpStateCalls;
import dev.parvis.hv.memory.GpaMap;
import dev.parvis.hv.memory.GrantTable;
import dev.parvis.hv.memory.SpaPool;
import dev.parvis.hv.partition.Partition;
import dev.parvis.hv.partition.PartitionTable;
import dev.parvis.hv.synic.PortTable;
import dev.parvis.hv.synic.RootInbox;
import dev.parvis.hv.vp.ExitHandler;
import dev.parvis.hv.vp.InterceptReporter;
import dev.parvis.hv.vp.LogicalProcessors;
import dev.parvis.hv.vp.PartitionRunner;
import dev.parvis.hv.vp.VpPreempter;
import dev.parvis.vmcore.ChildDebugListener;
import dev.parvis.vmcore.GuestMemoryGrants;
import dev.parvis.vmcore.HypercallGateway;
import dev.parvis.vmcore.HypervisorServices;
import dev.parvis.vmcore.RootPhysicalMemory;
import dev.parvis.vmcore.RootSynic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The booted hypervisor: the page pool, the partition table with the root partition, the port
 * table, the processor backend and the dispatcher with every handler registered. The root partition
 * sees it only as {@link HypervisorServices}.
 */
public final class Hypervisor implements HypervisorServices {
    private static final Logger LOG = LoggerFactory.getLogger(Hypervisor.class);

    private final SpaPool pool;
    private final PartitionTable partitions = new PartitionTable();
    private final PortTable ports = new PortTable();
    private final RootInbox rootInbox = new RootInbox();
    private final HypercallDispatcher dispatcher = new HypercallDispatcher();
    private final VpPreempter preempter = new VpPreempter();
    private final ProcessorBackend backend;
    private final InterceptReporter interceptReporter = new InterceptReporter(rootInbox);
    private final LogicalProcessors lps;
    private final Partition root;
    private final RootGateway gateway;
    private final RootMemory rootMemory;
    private final GrantTable grants;
    private volatile ChildDebugListener debugListener = (id, data) -> { };

    private Hypervisor(HypervisorConfig config) {
        this.pool = new SpaPool(config.poolBytes());
        this.backend = config.backend().get();
        this.lps = new LogicalProcessors(config.logicalProcessors(), config.runSlice().toNanos(), preempter);
        this.root = new Partition(PartitionTable.ROOT_ID, HvPartitionPrivilege.ROOT, null, null);
        partitions.add(root);
        this.gateway = new RootGateway(dispatcher, root);
        this.rootMemory = new RootMemory(pool);
        this.grants = new GrantTable(pool, this::liveChildMap, id -> {
            Partition p = partitions.get(id);
            // Suspended and no longer on an LP: its memory is quiescent.
            return p != null && p.isSuspended() && (p.runner() == null || !p.runner().heldByLp());
        });
        rootInbox.setSpaceListener((sint, child) -> {
            if (sint == RootSynic.INTERCEPT_SINT) {
                interceptReporter.retry(child);
            }
        });
        registerHandlers();
        LOG.info("hypervisor up: {} MiB pool, backend {}, {} logical processors", config.poolBytes() >> 20, backend.name(),
                config.logicalProcessors());
    }

    public static Hypervisor boot(HypervisorConfig config) {
        return new Hypervisor(config);
    }

    private void registerHandlers() {
        new PartitionCalls(this).register(dispatcher);
        new MemoryCalls(this).register(dispatcher);
        new VpCalls(this).register(dispatcher);
        new SynicCalls(this).register(dispatcher);
        new DebugCalls(this).register(dispatcher);
        new VpStateCalls(this).register(dispatcher);
        new StatsCalls(this).register(dispatcher);
    }

    /** A new child partition in the CREATED state, with guest privileges. */
    public Partition newChild(long privileges) {
        PartitionRunner runner = new PartitionRunner(preempter, lps, backend.capabilities().contains(BackendCapability.PARALLEL_VPS));
        long id = partitions.allocateId();
        Partition child = new Partition(id, privileges, new GpaMap(pool, grants.listenerFor(id)), runner);
        runner.attach(child, new ExitHandler(dispatcher::dispatchGuest, interceptReporter));
        partitions.add(child);
        return child;
    }

    public SpaPool pool() {
        return pool;
    }

    public PartitionTable partitions() {
        return partitions;
    }

    public PortTable ports() {
        return ports;
    }

    public RootInbox rootInbox() {
        return rootInbox;
    }

    public InterceptReporter interceptReporter() {
        return interceptReporter;
    }

    /** The thread that ends run slices (its tick count shows whether it sleeps on an idle host). */
    public VpPreempter preempter() {
        return preempter;
    }

    public LogicalProcessors logicalProcessors() {
        return lps;
    }

    public ProcessorBackend backend() {
        return backend;
    }

    public Partition root() {
        return root;
    }

    public HypercallDispatcher dispatcher() {
        return dispatcher;
    }

    public ChildDebugListener debugListener() {
        return debugListener;
    }

    @Override
    public HypercallGateway gateway() {
        return gateway;
    }

    @Override
    public RootPhysicalMemory rootMemory() {
        return rootMemory;
    }

    @Override
    public RootSynic rootSynic() {
        return rootInbox;
    }

    @Override
    public GuestMemoryGrants grants() {
        return grants;
    }

    /**
     * The partition's counters, or empty if there is no such child: the kernel's own view, for its
     * tests. The root reads the same counters from the stats page HvCallMapStatsPage maps for it.
     */
    public java.util.Optional<dev.parvis.vmcore.PartitionStatistics> statistics(long partitionId) {
        Partition p = partitions.get(partitionId);
        if (p == null || p.isRoot()) {
            return java.util.Optional.empty();
        }
        long cpu = p.cpuNanos().get(), hypercalls = 0, exits = 0;
        for (dev.parvis.hv.vp.VirtualProcessor vp : p.vps()) {
            hypercalls += vp.hypercallCount();
            exits += vp.exitCount();
        }
        return java.util.Optional.of(new dev.parvis.vmcore.PartitionStatistics(cpu, hypercalls, exits, p.intercepts().get(),
                p.gpaMap().mappedPages(), pool.depositedTo(partitionId), p.vpCount()));
    }

    private GpaMap liveChildMap(long partitionId) {
        Partition p = partitions.get(partitionId);
        return p == null || p.isRoot() || p.state() == dev.parvis.hv.partition.PartitionState.DELETED ? null : p.gpaMap();
    }

    @Override
    public void setDebugListener(ChildDebugListener listener) {
        this.debugListener = listener;
    }

    @Override
    public void sendDebugData(long partitionId, byte[] data) {
        Partition p = partitions.get(partitionId);
        if (p == null || p.isRoot()) {
            throw new IllegalArgumentException("no child partition " + partitionId);
        }
        p.debugInput().add(data.clone());
    }

    @Override
    public void close() {
        for (Partition p : partitions.all()) {
            if (!p.isRoot()) {
                PartitionCalls.teardown(this, p);
            }
        }
        lps.close();
        preempter.close();
        backend.close();
        pool.close();
        LOG.info("hypervisor down");
    }
}
