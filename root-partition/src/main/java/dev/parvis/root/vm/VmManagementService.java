package dev.parvis.root.vm;

import dev.parvis.root.config.ConfigLoad;
import dev.parvis.root.config.ConfigStore;
import dev.parvis.root.config.DeviceConfig;
import dev.parvis.devices.ic.IcException;
import dev.parvis.devices.ic.IcStatus;
import dev.parvis.devices.ic.IntegrationServices;
import dev.parvis.root.config.VmConfig;
import dev.parvis.root.loader.ChildLoader;
import dev.parvis.root.loader.ElfImage;
import dev.parvis.vmbus.host.VmbusHost;
import dev.parvis.vmcore.DebugLines;
import dev.parvis.vmcore.HypervisorServices;
import dev.parvis.vmcore.RootHypercalls;
import dev.parvis.vmcore.log.LogBudgets;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The root's virtual machine management service (Hyper-V's vmms): VMs defined by their
 * {@link VmConfig}s in a {@link ConfigStore}, each driven by its own {@link VmWorker}; requests
 * return futures of the state they leave the VM in. Events go to subscribers in order on one
 * thread.
 */
public final class VmManagementService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VmManagementService.class);
    /** Where managed VMs' debug output (HvCallPostDebugData) goes, one log line per guest line. */
    private static final Logger CONSOLE = LoggerFactory.getLogger("dev.parvis.root.vm.GuestConsole");
    /** Each VM's console lines spend from its own budget: 100 at once, then 20 a second. */
    private final LogBudgets consoleBudgets = new LogBudgets(100, 20, 1024);

    /** A VM as Get-VM shows it. */
    public record VmInfo(VmConfig config, VmState state) {
        public UUID id() {
            return config.id();
        }

        public String name() {
            return config.name();
        }
    }

    private final HypervisorServices hv;
    private final ConfigStore store;
    private final VmbusHost vmbus;
    private final RootMessageRouter router;
    private final VmEnvironment env;
    private final Map<UUID, VmWorker> workers = new ConcurrentHashMap<>();
    /** Workers of VMs createAndStart is still making durable: not listed, but their ids and names are taken. */
    private final Map<UUID, VmWorker> defining = new java.util.HashMap<>();
    /** Set by {@link #close} (under the workers' lock): a creation still being written then never starts. */
    private boolean closed;
    private final List<Consumer<VmEvent>> subscribers = new CopyOnWriteArrayList<>();
    private final ExecutorService eventThread = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform()
            .name("parvis-vm-events").daemon(true).unstarted(r));
    private volatile boolean hostStopping;
    private final WorkerThreads threads = new WorkerThreads();

    public VmManagementService(HypervisorServices hv, ConfigStore store, Path guestsDir) {
        this.hv = hv;
        this.store = store;
        RootHypercalls hc = new RootHypercalls(hv.gateway());
        this.vmbus = new VmbusHost(hv);
        this.router = new RootMessageRouter(hv.rootSynic());
        MemoryAdmission admission = new MemoryAdmission(hv.rootMemory());
        this.env = new VmEnvironment(hv, hc, new ChildLoader(hc, admission.memory()), vmbus, router, store, admission, guestsDir,
                this::publish, () -> hostStopping, new PartitionStatsPages(hc, hv.rootMemory()), ElfImage.cachingReader(), threads);
        threads.prepareNext();
        hv.setDebugListener(new DebugLines(this::consoleLine));
    }

    /** A managed VM's debug output line, in the log under the VM's name; bounded and rate-limited per VM. */
    private void consoleLine(long partitionId, String text, boolean continued) {
        String name = workers.values().stream().filter(w -> w.owns(partitionId)).map(w -> w.config().name()).findFirst()
                .orElse("partition " + partitionId);
        consoleBudgets.of(partitionId).info(CONSOLE, "[{}] {}{}", name, text, continued ? " [line continues]" : "");
    }

    /** Defines a new VM (New-VM): saves its configuration; it starts Off. */
    public VmInfo create(VmConfig config) {
        synchronized (workers) {
            refuseDuplicate(config);
            store.save(config);
            VmWorker w = new VmWorker(env, config).begin();
            workers.put(config.id(), w);
            publish(new VmEvent.ConfigChanged(config.id(), java.time.Instant.now()));
            return new VmInfo(config, w.state());
        }
    }

    /** A VM {@link #createAndStart} defined: the VM (durable, as New-VM returns it) and its start, still under way. */
    public record Created(VmInfo vm, CompletableFuture<VmState> running) {
    }

    /**
     * New-VM and Start-VM as one request: returns once the configuration is durable, as
     * {@link #create} does, with the start's future. The VM's worker builds the partition while this
     * thread writes and fsyncs the configuration; the guest runs, and the VM shows and reports
     * Starting and Running, only once the configuration is on disk ({@link VmCreation}). Until then
     * the VM is not listed. If the configuration cannot be written this throws as {@link #create}
     * does, the half-built partition is taken down and the VM never existed; if the start fails
     * the VM exists, Off, and {@code running} fails as Start-VM would. If the service closes while the
     * configuration is being written, the VM stays defined on disk but never runs here.
     */
    public Created createAndStart(VmConfig config, RequestProgress progress) {
        VmWorker w;
        synchronized (workers) {
            if (closed) {
                throw new VmException("the host is stopping: no VM is created");
            }
            refuseDuplicate(config);
            w = new VmWorker(env, config);
            defining.put(config.id(), w);
        }
        VmCreation creation = VmCreation.pending();
        CompletableFuture<VmState> running = w.startOnCreation(creation, progress);
        w.begin();
        try {
            store.save(config);
        } catch (RuntimeException e) {
            synchronized (workers) {
                defining.remove(config.id());
            }
            creation.failed(e);
            w.retire();
            throw e;
        }
        synchronized (workers) {
            defining.remove(config.id());
            if (closed) {
                // Defined on disk (the next host start lists it, Off), but never run on a service already closed.
                creation.failed(new VmException("the host stopped before the new VM could start"));
                w.retire();
                return new Created(new VmInfo(config, VmState.OFF), running);
            }
            workers.put(config.id(), w);
        }
        // Published before the worker may announce Starting: subscribers hear of the VM first.
        publish(new VmEvent.ConfigChanged(config.id(), java.time.Instant.now()));
        creation.durable();
        return new Created(new VmInfo(config, w.state()), running);
    }

    /** Refuses a VM whose id or name a defined VM, or one being defined, already has (caller holds the lock). */
    private void refuseDuplicate(VmConfig config) {
        if (workers.containsKey(config.id()) || defining.containsKey(config.id())) {
            throw new VmException("a VM with id " + config.id() + " already exists");
        }
        if (find(config.name()).isPresent()
                || defining.values().stream().anyMatch(w -> w.config().name().equals(config.name()))) {
            throw new VmException("a VM named '" + config.name() + "' already exists");
        }
    }

    /**
     * Takes every configuration in the store under management (a host starting). Loaded ones get a
     * worker (Saved when a saved state exists, else Off); corrupt or unknown-version files are
     * returned untouched for the caller to report.
     */
    public List<ConfigLoad> loadAll() {
        List<ConfigLoad> problems = new ArrayList<>();
        for (ConfigLoad load : store.loadAll()) {
            switch (load) {
                case ConfigLoad.Loaded loaded -> {
                    synchronized (workers) {
                        workers.computeIfAbsent(loaded.config().id(), k -> new VmWorker(env, loaded.config()).begin());
                    }
                }
                case ConfigLoad.Corrupt corrupt -> problems.add(corrupt);
                case ConfigLoad.UnknownVersion unknown -> problems.add(unknown);
            }
        }
        return problems;
    }

    public CompletableFuture<VmState> request(UUID id, VmRequest request) {
        return request(id, request, RequestProgress.NONE);
    }

    /**
     * Hands {@code request} to the VM's worker; {@code progress} hears the percent complete at the
     * operation's real steps (start, restore and save report several; other requests only 100).
     */
    public CompletableFuture<VmState> request(UUID id, VmRequest request, RequestProgress progress) {
        VmWorker w = workers.get(id);
        if (w == null) {
            return CompletableFuture.failedFuture(new VmException("no VM with id " + id));
        }
        CompletableFuture<VmState> result = w.submit(request, progress);
        if (request instanceof VmRequest.Delete) {
            // The caller sees the deletion complete only once the VM is gone from the service.
            return result.thenApply(state -> {
                workers.remove(id, w);
                return state;
            });
        }
        return result;
    }

    public CompletableFuture<VmState> configure(VmConfig config) {
        return request(config.id(), new VmRequest.Configure(config));
    }

    public CompletableFuture<VmState> start(UUID id) {
        return request(id, new VmRequest.Start());
    }

    public CompletableFuture<VmState> stop(UUID id) {
        return request(id, new VmRequest.Stop());
    }

    public CompletableFuture<VmState> turnOff(UUID id) {
        return request(id, new VmRequest.TurnOff());
    }

    public CompletableFuture<VmState> pause(UUID id) {
        return request(id, new VmRequest.Pause());
    }

    public CompletableFuture<VmState> resume(UUID id) {
        return request(id, new VmRequest.Resume());
    }

    public CompletableFuture<VmState> save(UUID id) {
        return request(id, new VmRequest.Save());
    }

    /** Add-VMHardDiskDrive: hot on a running or paused VM, in its configuration when it is Off or Failed. */
    public CompletableFuture<VmState> attachDisk(UUID id, DeviceConfig.Disk disk) {
        return request(id, new VmRequest.AttachDisk(disk));
    }

    /** Remove-VMHardDiskDrive of the disk at {@code controller}/{@code lun}. */
    public CompletableFuture<VmState> detachDisk(UUID id, int controller, int lun) {
        return request(id, new VmRequest.DetachDisk(controller, lun));
    }

    public CompletableFuture<VmState> delete(UUID id) {
        return request(id, new VmRequest.Delete());
    }

    public List<VmInfo> list() {
        return workers.values().stream().map(w -> new VmInfo(w.config(), w.state()))
                .sorted(Comparator.comparing(VmInfo::name)).toList();
    }

    public Optional<VmInfo> get(UUID id) {
        return Optional.ofNullable(workers.get(id)).map(w -> new VmInfo(w.config(), w.state()));
    }

    public Optional<VmInfo> get(String name) {
        return find(name).map(w -> new VmInfo(w.config(), w.state()));
    }

    private Optional<VmWorker> find(String name) {
        return workers.values().stream().filter(w -> w.config().name().equals(name)).findFirst();
    }

    /** Measure-VM for one VM. */
    public VmMetrics metrics(UUID id) {
        return worker(id).metrics();
    }

    /** The last message the guest posted to the root (the counter guest posts its counter's GPA). */
    public Optional<byte[]> lastGuestMessage(UUID id) {
        return worker(id).lastGuestMessage();
    }

    /** The last message the guest posted to the root, numbered, with when it arrived. */
    public Optional<GuestMessage> lastGuestMessageRecord(UUID id) {
        return worker(id).lastGuestRecord().map(m -> new GuestMessage(m.sequence(), m.payload(), m.receivedAt()));
    }

    /** One message a guest posted to the root: {@code sequence} counts from 1 per VM (this host process). */
    public record GuestMessage(long sequence, byte[] payload, java.time.Instant receivedAt) {
    }

    /** Posts {@code payload} (message type 1) to the running guest's root message SINT. */
    public dev.parvis.abi.hv.HvStatus postToGuest(UUID id, byte[] payload) {
        return worker(id).postToGuest(payload);
    }

    /** The VM's integration services while it has a partition (Running, Paused) and the device. */
    public Optional<IntegrationServices> integrationServices(UUID id) {
        VmWorker w = worker(id);
        return VmTransitions.isLive(w.state()) ? w.integrationServices() : Optional.empty();
    }

    /**
     * Each integration service's status as the VM's view shows it: the live services' statuses
     * while the VM has a partition, else the configured ones as {@link IcStatus#NO_CONTACT} or
     * {@link IcStatus#DISABLED}; empty without the device.
     */
    public Map<String, IcStatus> integrationStatus(UUID id) {
        VmWorker w = worker(id);
        Optional<IntegrationServices> live = integrationServices(id);
        if (live.isPresent()) {
            return live.get().statuses();
        }
        Map<String, IcStatus> out = new LinkedHashMap<>();
        for (DeviceConfig d : w.config().devices()) {
            if (d instanceof DeviceConfig.IntegrationServices is) {
                out.put("heartbeat", is.heartbeat() ? IcStatus.NO_CONTACT : IcStatus.DISABLED);
                out.put("shutdown", is.shutdown() ? IcStatus.NO_CONTACT : IcStatus.DISABLED);
                out.put("timesync", is.timeSync() ? IcStatus.NO_CONTACT : IcStatus.DISABLED);
                out.put("kvp", is.kvp() ? IcStatus.NO_CONTACT : IcStatus.DISABLED);
                out.put("fcopy", is.fileCopy() ? IcStatus.NO_CONTACT : IcStatus.DISABLED);
            }
        }
        return out;
    }

    /** Copy-VMFile: copies a host file into the running guest with the file copy service; returns the bytes copied. */
    public long copyFileToGuest(UUID id, Path hostFile, String guestName) throws java.io.IOException, IcException {
        IntegrationServices ics = integrationServices(id).orElseThrow(() -> new VmException(
                "VM '%s' has no running integration services".formatted(worker(id).config().name())));
        return ics.fileCopy().copyToGuest(hostFile, guestName, true);
    }

    /** Posts a message (HV message type 1, at most 240 bytes) to the running guest; throws if it is not delivered. */
    public void postGuestMessage(UUID id, byte[] payload) {
        worker(id).postGuestMessage(payload);
    }

    /** Reads a u64 of the running (or paused) guest's memory with HvCallReadGpa. */
    public long readGuestU64(UUID id, long gpa) {
        byte[] bytes = env.hc().readGpa(worker(id).partitionId(), gpa, 8);
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** Reads a u64 of a Saved VM's guest memory from its saved state (GPA in its RAM). */
    public long savedGuestU64(UUID id, long gpa) {
        VmWorker w = worker(id);
        if (!(w.state() instanceof VmState.Saved)) {
            throw new IllegalVmStateException(w.config().name(), w.state(), "saved-state read");
        }
        SavedState saved = SavedStateFile.read(store.savedStatePath(id), SavedStateFile.Expected.of(w.config()));
        if (gpa < 4096 || gpa > (saved.pageCount() + 1L) * 4096 - 8) {
            throw new VmException("GPA 0x%x is outside the saved RAM".formatted(gpa));
        }
        return saved.readU64(gpa);
    }

    public Path savedStatePath(UUID id) {
        return store.savedStatePath(id);
    }

    /** Events from now on, in order, on the event thread; close the subscription to stop them. */
    public AutoCloseable subscribe(Consumer<VmEvent> listener) {
        subscribers.add(listener);
        return () -> subscribers.remove(listener);
    }

    private void publish(VmEvent event) {
        eventThread.execute(() -> {
            for (Consumer<VmEvent> s : subscribers) {
                try {
                    s.accept(event);
                } catch (RuntimeException e) {
                    LOG.warn("VM event subscriber failed on {}", event, e);
                }
            }
        });
    }

    private VmWorker worker(UUID id) {
        VmWorker w = workers.get(id);
        if (w == null) {
            throw new VmException("no VM with id " + id);
        }
        return w;
    }

    /**
     * From now on state changes are the host's automatic stop actions and are not recorded as the
     * state the user left a VM in (START_IF_RUNNING reads that record).
     */
    void beginHostStop() {
        hostStopping = true;
    }

    ConfigStore store() {
        return store;
    }

    /**
     * Turns off every VM that still has a partition (without recording it for the next host
     * start), stops the workers and the router. Saved states and configurations stay.
     */
    @Override
    public void close() {
        hostStopping = true;
        synchronized (workers) {
            closed = true;
        }
        Map<VmWorker, CompletableFuture<VmState>> offs = new LinkedHashMap<>();
        for (VmWorker w : workers.values()) {
            if (VmTransitions.isLive(w.state())) {
                offs.put(w, w.submit(new VmRequest.TurnOff()));
            }
        }
        offs.forEach((w, f) -> {
            try {
                f.get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                // A guest that powered itself off in the meantime refuses the turn-off, and is off: nothing to say.
                if (!(e.getCause() instanceof IllegalVmStateException && !VmTransitions.isLive(w.state()))) {
                    LOG.warn("turning off a VM at service close: {}", e.toString());
                }
            }
        });
        for (VmWorker w : workers.values()) {
            w.retire();
        }
        for (VmWorker w : workers.values()) {
            try {
                w.awaitRetired(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        threads.close();
        router.close();
        vmbus.close();
        eventThread.shutdown();
        try {
            eventThread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
