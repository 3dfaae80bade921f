package dev.parvis.root.vm;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HvRegisterName;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.devices.ic.IcResult;
import dev.parvis.devices.ic.IcStatus;
import dev.parvis.devices.ic.IntegrationServices;
import dev.parvis.root.config.DeviceConfig;
import dev.parvis.root.storage.DiskAttachment;
import dev.parvis.root.storage.VmStorage;
import dev.parvis.root.config.VmConfig;
import dev.parvis.vmcore.hostfile.HostFile;
import dev.parvis.vmcore.hostfile.HostFileException;
import dev.parvis.root.loader.ChildLoader;
import dev.parvis.root.loader.ElfImage;
import dev.parvis.root.loader.GuestSpec;
import dev.parvis.root.loader.InvalidImageException;
import dev.parvis.root.loader.LoadedChild;
import dev.parvis.vmbus.device.EchoDevice;
import dev.parvis.vmbus.device.VmbusDeviceClass;
import dev.parvis.vmbus.server.VmbusServer;
import dev.parvis.vmbus.server.VmbusServerState;
import dev.parvis.vmcore.GuestMemoryView;
import dev.parvis.vmcore.PartitionStatistics;
import dev.parvis.vmcore.log.LogBudget;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One VM's controller: a single platform thread that executes its {@link VmRequest}s in order and
 * the intercepts and messages the {@link RootMessageRouter} hands it, and so is the only owner of
 * the VM's partition, its VMBus attachment and its state. Requests in the wrong state complete
 * with {@link IllegalVmStateException}.
 */
final class VmWorker {
    private static final Logger LOG = LoggerFactory.getLogger(VmWorker.class);
    private static final long PAGE = 4096;
    private static final String MARKER = "host-last-state";
    /** The marker holds one state name ("Running"). */
    private static final long MARKER_MAX_BYTES = 64;

    private final VmEnvironment env;
    private final UUID id;
    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    /** Lines the guest can cause (its power-off, its failure, what its intercepts make go wrong). */
    private final LogBudget guestLines = LogBudget.standard();
    private volatile VmConfig config;
    private volatile VmState state;
    private volatile boolean retired;
    /** The listener of the request being executed (worker thread only). */
    private RequestProgress progress = RequestProgress.NONE;

    // The partition and what was built for it: touched only on the worker thread (volatile for metrics).
    private volatile LoadedChild child;
    private int[] rights;
    private int vpCount;
    private final List<EchoDevice> echoes = new ArrayList<>();
    private volatile byte[] lastGuestMessage;
    private volatile GuestMessage lastGuestRecord;
    private long guestMessageCount;
    /** The running partition's disks and SCSI controllers (null without disks or when no partition exists). */
    private volatile VmStorage storage;
    /** The running partition's integration services (null without the device or when no partition exists). */
    private volatile IntegrationServices ics;
    /** Completed from the router thread when the running partition powers off (a graceful stop waits on it). */
    private volatile CompletableFuture<Void> poweredOff = new CompletableFuture<>();

    /** How long a save waits for the disk requests in flight to complete into the guest's rings. */
    static final Duration SAVE_DRAIN_TIMEOUT = Duration.ofSeconds(10);

    /** How long a graceful Stop-VM waits for the guest to power off after it accepted the request. */
    static final Duration GRACEFUL_STOP_TIMEOUT = Duration.ofSeconds(10);

    /** One message the guest posted to the root, numbered from 1 per worker, with when it arrived. */
    record GuestMessage(long sequence, byte[] payload, Instant receivedAt) {
    }

    // Metrics carried across partitions (save/restore, restart) in this host process.
    private volatile long cpuNanosBefore;
    private volatile long hypercallsBefore;
    private volatile long uptimeNanosBefore;
    private volatile long runningSinceNanos = -1;
    private volatile long vmbusInBefore;
    private volatile long vmbusOutBefore;

    VmWorker(VmEnvironment env, VmConfig config) {
        this.env = env;
        this.id = config.id();
        this.config = config;
        this.state = env.store().hasSavedState(id) ? VmState.SAVED : VmState.OFF;
        this.thread = Thread.ofPlatform().name("parvis-vm-" + config.name()).daemon(true).start(this::loop);
    }

    UUID id() {
        return id;
    }

    VmConfig config() {
        return config;
    }

    VmState state() {
        return state;
    }

    Optional<byte[]> lastGuestMessage() {
        return Optional.ofNullable(lastGuestMessage).map(byte[]::clone);
    }

    Optional<GuestMessage> lastGuestRecord() {
        GuestMessage m = lastGuestRecord;
        return m == null ? Optional.empty() : Optional.of(new GuestMessage(m.sequence(), m.payload().clone(), m.receivedAt()));
    }

    /** The running partition's integration services, when its config has the device. */
    Optional<IntegrationServices> integrationServices() {
        return Optional.ofNullable(ics);
    }

    /** Posts {@code payload} (message type 1) on the root's connection to the running guest. */
    HvStatus postToGuest(byte[] payload) {
        LoadedChild c = child;
        if (c == null) {
            throw new IllegalVmStateException(config.name(), state, "message to the guest");
        }
        return env.hc().postMessage(c.channels().rootToChildConnection(), new HvMessageType(1), payload);
    }

    /**
     * Posts {@code payload} to the running (or paused) guest as an HV message of type 1 on its root
     * channel (the SINT its boot info names), as the root's commands to test guests travel.
     */
    void postGuestMessage(byte[] payload) {
        HvStatus status = postToGuest(payload);
        if (!status.isSuccess()) {
            throw new VmException("VM '%s': message to the guest not delivered: %s".formatted(config.name(), status));
        }
    }

    /** The running partition's id, for reads of guest memory. */
    long partitionId() {
        LoadedChild c = child;
        if (c == null) {
            throw new IllegalVmStateException(config.name(), state, "guest memory access");
        }
        return c.partitionId();
    }

    /** Whether {@code partitionId} is this VM's running partition. */
    boolean owns(long partitionId) {
        LoadedChild c = child;
        return c != null && c.partitionId() == partitionId;
    }

    CompletableFuture<VmState> submit(VmRequest request) {
        return submit(request, RequestProgress.NONE);
    }

    CompletableFuture<VmState> submit(VmRequest request, RequestProgress listener) {
        CompletableFuture<VmState> done = new CompletableFuture<>();
        if (retired) {
            done.completeExceptionally(new VmException("VM '%s' was deleted".formatted(config.name())));
            return done;
        }
        queue.add(() -> {
            progress = listener;
            try {
                execute(request, done);
            } finally {
                progress = RequestProgress.NONE;
            }
        });
        return done;
    }

    /** Tells the current request's listener how far it has got (a listener's failure never fails the request). */
    private void progress(int percent) {
        try {
            progress.report(percent);
        } catch (RuntimeException e) {
            LOG.warn("VM '{}': a progress listener failed: {}", config.name(), e.toString());
        }
    }

    /** Stops the thread after the queued work (the partition, if any, is left to the caller). */
    void retire() {
        retired = true;
        queue.add(() -> { });
    }

    void awaitRetired(Duration timeout) throws InterruptedException {
        thread.join(timeout);
    }

    private void loop() {
        while (!(retired && queue.isEmpty())) {
            try {
                queue.take().run();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // Queued work includes the guest's intercepts: traces within the VM's line budget.
                if (guestLines.acquire() >= 0) {
                    LOG.error("VM '{}': unexpected failure on its worker thread", config.name(), e);
                }
            }
        }
    }

    private void execute(VmRequest request, CompletableFuture<VmState> done) {
        try {
            if (!VmTransitions.allowed(state, request)) {
                throw new IllegalVmStateException(config.name(), state, request.operation());
            }
            VmState after = switch (request) {
                case VmRequest.Start s -> state instanceof VmState.Saved ? restore() : boot();
                case VmRequest.Stop s -> stop();
                case VmRequest.TurnOff t -> turnOff();
                case VmRequest.Pause p -> pause();
                case VmRequest.Resume r -> resume();
                case VmRequest.Save s -> save();
                case VmRequest.Delete d -> delete();
                case VmRequest.Configure c -> configure(c.config());
            };
            progress(100);
            done.complete(after);
        } catch (Throwable e) {
            done.completeExceptionally(e);
        }
    }

    // ---- start -------------------------------------------------------------------------------

    private VmState boot() {
        VmConfig c = config;
        long ramBytes = c.memoryMiB() << 20;
        ElfImage image;
        GuestSpec spec;
        try {
            image = env.image(c.image());
            spec = new GuestSpec(c.name(), image, ramBytes, Math.max(1, c.vcpuCount()));
        } catch (InvalidImageException | IllegalArgumentException e) {
            throw failStart(new VmException("VM '%s' cannot start: %s".formatted(c.name(), e.getMessage()), e));
        }
        int vps = Math.max(1, c.vcpuCount());
        progress(5);
        try (MemoryAdmission.Ticket t = admit(ramBytes / PAGE + ChildLoader.depositPages(vps))) {
            transition(VmState.STARTING);
            progress(20);
            try {
                child = env.loader().load(spec, pid -> {
                    progress(60);
                    prepare(pid, c, vps, () -> { }, null);
                    progress(90);
                });
            } catch (RuntimeException e) {
                transition(VmState.OFF);
                throw failStart(new VmException("VM '%s' failed to start: %s".formatted(c.name(), e.getMessage()), e));
            }
        }
        rights = ChildLoader.pageRights(image, ramBytes);
        vpCount = vps;
        runningSinceNanos = System.nanoTime();
        return transition(VmState.RUNNING);
    }

    private VmState restore() {
        VmConfig c = config;
        Path file = env.store().savedStatePath(id);
        SavedState saved;
        progress(5);
        try {
            saved = SavedStateFile.read(file, SavedStateFile.Expected.of(c));
            progress(35);
        } catch (SavedStateException e) {
            throw failStart(new SavedStateException("VM '%s' cannot be restored: %s".formatted(c.name(), e.getMessage())));
        }
        if (!saved.vmId().equals(id)) {
            throw failStart(new SavedStateException("%s belongs to VM %s, not %s".formatted(file, saved.vmId(), id)));
        }
        try (MemoryAdmission.Ticket t = admit(saved.pageCount() + (long) ChildLoader.depositPages(saved.vpCount()))) {
            transition(VmState.STARTING);
            try {
                child = env.loader().restore(saved, pid -> {
                    progress(70);
                    prepare(pid, c, saved.vpCount(), () -> restoreVps(pid, saved), saved.vmbus());
                    progress(90);
                });
            } catch (RuntimeException e) {
                transition(VmState.SAVED);
                throw failStart(new VmException("VM '%s' failed to restore: %s".formatted(c.name(), e.getMessage()), e));
            }
        }
        rights = saved.rights().clone();
        vpCount = saved.vpCount();
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("VM '{}': restored, but its saved state {} could not be deleted: {}", c.name(), file, e.getMessage());
        }
        runningSinceNanos = System.nanoTime();
        return transition(VmState.RUNNING);
    }

    /**
     * Every VP's saved registers (architectural and synthetic) and its SIM and SIEF pages (the overlay
     * pages the SIMP and SIEFP registers place), then the guest's clock from where it stopped.
     */
    private void restoreVps(long pid, SavedState saved) {
        VpRegisters registers = new VpRegisters(env.hc().gateway());
        VpStatePages statePages = new VpStatePages(env.hc(), env.hv().rootMemory());
        for (int vp = 0; vp < saved.vpCount(); vp++) {
            registers.write(pid, vp, saved.vps().get(vp));
            statePages.write(pid, vp, saved.synicPages(vp));
        }
        env.controls().continueTime(pid, saved.referenceTime());
    }

    private MemoryAdmission.Ticket admit(long pages) {
        try {
            return env.admission().admit(config.name(), pages);
        } catch (InsufficientHostMemoryException e) {
            throw failStart(e);
        }
    }

    /**
     * Wires what the partition needs before its first instruction: routing, VPs, CPU controls,
     * VMBus; on restore, {@code vmbus} (else null) is the saved VMBus server state, rebuilt on the
     * new attachment before the partition is finalized.
     */
    private void prepare(long pid, VmConfig c, int vps, Runnable vpSetup, VmbusServerState vmbus) {
        poweredOff = new CompletableFuture<>();
        env.router().register(pid, m -> onIntercept(pid, m), this::onMessage);
        try {
            vpSetup.run();
            env.controls().applyCpu(pid, c.cpu());
            List<VmbusDeviceClass> devices = devices(pid, c);
            if (!devices.isEmpty()) {
                VmbusServer server = env.vmbus().attach(pid, vps, devices);
                if (vmbus != null) {
                    server.restore(vmbus);
                }
            } else if (vmbus != null && vmbus.connected()) {
                throw new VmException("the saved state has a VMBus connection but the VM has no VMBus devices");
            }
        } catch (RuntimeException e) {
            env.router().unregister(pid);
            env.vmbus().detach(pid);
            closeIntegrationServices();
            closeStorage();
            throw e;
        }
    }

    private List<VmbusDeviceClass> devices(long pid, VmConfig c) {
        echoes.clear();
        closeIntegrationServices();
        closeStorage();
        List<VmbusDeviceClass> devices = new ArrayList<>();
        for (DeviceConfig d : c.devices()) {
            switch (d) {
                case DeviceConfig.EchoDevice e -> {
                    EchoDevice echo = new EchoDevice();
                    echoes.add(echo);
                    devices.add(echo);
                }
                case DeviceConfig.IntegrationServices is -> {
                    IntegrationServices services = new IntegrationServices(
                            () -> env.hc().getVpRegister(pid, 0, HvRegisterName.TIME_REF_COUNT));
                    services.heartbeat().setEnabled(is.heartbeat());
                    services.shutdown().setEnabled(is.shutdown());
                    services.timeSync().setEnabled(is.timeSync());
                    services.kvp().setEnabled(is.kvp());
                    services.fileCopy().setEnabled(is.fileCopy());
                    ics = services;
                    devices.addAll(services.offered());
                }
                case DeviceConfig.Disk disk -> {
                    // all disks at once, below
                }
                case DeviceConfig.NetworkAdapter nic -> LOG.info("VM '{}': network adapter on '{}' not attached (no network device yet)",
                        c.name(), nic.switchName());
            }
        }
        devices.addAll(openStorage(c));
        return devices;
    }

    /** Opens every disk of the config (or none) and returns its SCSI controllers to offer. */
    private List<VmbusDeviceClass> openStorage(VmConfig c) {
        List<DiskAttachment> disks;
        try {
            disks = DiskAttachment.of(c.devices());
        } catch (IllegalArgumentException e) {
            throw new VmException("VM '%s': %s".formatted(c.name(), e.getMessage()), e);
        }
        if (disks.isEmpty()) {
            return List.of();
        }
        try {
            storage = VmStorage.open(disks);
        } catch (IOException | IllegalArgumentException e) {
            throw new VmException("VM '%s' cannot open its disks: %s".formatted(c.name(), e.getMessage()), e);
        }
        return storage.devices();
    }

    /** Flushes and closes the disks once their requests finished (the partition is gone or going). */
    private void closeStorage() {
        VmStorage s = storage;
        storage = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("VM '{}': closing its disks: {}", config.name(), e.getMessage());
            }
        }
    }

    private VmException failStart(VmException e) {
        publish(new VmEvent.Failed(id, config.name(), e.getMessage(), Instant.now()));
        return e;
    }

    // ---- running -----------------------------------------------------------------------------

    private VmState pause() {
        env.controls().suspend(child.partitionId());
        accumulateUptime();
        return transition(VmState.PAUSED);
    }

    private VmState resume() {
        env.controls().resume(child.partitionId());
        runningSinceNanos = System.nanoTime();
        return transition(VmState.RUNNING);
    }

    private VmState stop() {
        IntegrationServices services = ics;
        String why;
        if (services == null || !services.shutdown().isEnabled()) {
            why = "the VM has no shutdown integration service: it was turned off";
        } else if (!(state instanceof VmState.Running)) {
            why = "the graceful shutdown failed: a paused guest cannot answer the shutdown request: the VM was turned off";
        } else if (!(services.shutdown().status() instanceof IcStatus.Ok)) {
            why = "the graceful shutdown failed: the shutdown integration service is %s: the VM was turned off"
                    .formatted(describe(services.shutdown().status()));
        } else {
            transition(VmState.STOPPING);
            Optional<String> failure = gracefulShutdown(services);
            if (failure.isEmpty()) {
                destroyPartition();
                return transition(VmState.OFF);
            }
            why = "the graceful shutdown failed: " + failure.get() + ": the VM was turned off";
        }
        if (!(state instanceof VmState.Stopping)) {
            transition(VmState.STOPPING);
        }
        destroyPartition();
        publish(new VmEvent.Notice(id, config.name(), "Stop-VM: " + why, Instant.now()));
        return transition(VmState.OFF);
    }

    private static String describe(IcStatus status) {
        return status instanceof IcStatus.Degraded d ? "Degraded (" + d.reason() + ")" : status.getClass().getSimpleName();
    }

    /** Asks the guest to shut down and waits for its power-off; empty when it did, else why not. */
    private Optional<String> gracefulShutdown(IntegrationServices services) {
        CompletableFuture<Void> off = poweredOff;
        long deadline = System.nanoTime() + GRACEFUL_STOP_TIMEOUT.toNanos();
        boolean accepted = false;
        try {
            IcResult answer = services.shutdown().requestShutdown(false, "Stop-VM")
                    .get(GRACEFUL_STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (!answer.succeeded()) {
                return Optional.of("the guest refused the shutdown request (" + answer + ")");
            }
            accepted = true;
            off.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            LOG.info("VM '{}': the guest shut down on request", config.name());
            return Optional.empty();
        } catch (TimeoutException e) {
            return Optional.of(accepted ? "the guest accepted but did not power off within " + GRACEFUL_STOP_TIMEOUT.toSeconds() + " s"
                    : "the guest did not answer the shutdown request");
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return Optional.of("the shutdown request failed (" + cause.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while waiting for the guest");
        }
    }

    private VmState turnOff() {
        if (state instanceof VmState.Failed) {
            return transition(VmState.OFF);
        }
        transition(VmState.STOPPING);
        destroyPartition();
        return transition(VmState.OFF);
    }

    private VmState save() {
        VmState from = state;
        long pid = child.partitionId();
        transition(VmState.SAVING);
        try {
            env.controls().suspend(pid);
            progress(10);
            long referenceTime = env.controls().freezeTime(pid);
            quiesceStorage();
            // VMBus first: what the suspended guest posted reaches its server, then the server freezes
            // (it posts and signals nothing more), so the VPs and RAM read next stay as saved.
            env.vmbus().settle();
            VmbusServerState vmbus = env.vmbus().server(pid).map(VmbusServer::snapshot).orElse(null);
            List<List<VpRegisters.Value>> vps = new ArrayList<>();
            VpRegisters registers = new VpRegisters(env.hc().gateway());
            for (int vp = 0; vp < vpCount; vp++) {
                vps.add(registers.read(pid, vp, savedRegisters(vp)));
            }
            List<VpSynicPages> synic = new ArrayList<>();
            VpStatePages statePages = new VpStatePages(env.hc(), env.hv().rootMemory());
            for (int vp = 0; vp < vpCount; vp++) {
                synic.add(statePages.read(pid, vp));
            }
            progress(20);
            SavedState saved = new SavedState(id, config.name(), referenceTime, vps, rights, snapshot(pid), vmbus, synic);
            progress(70);
            SavedStateFile.write(env.store().savedStatePath(id), saved);
            progress(95);
        } catch (IOException | RuntimeException e) {
            rollBackSave(pid, from);
            VmException failure = new VmException("VM '%s' could not be saved: %s".formatted(config.name(), e.getMessage()), e);
            publish(new VmEvent.Failed(id, config.name(), failure.getMessage(), Instant.now()));
            throw failure;
        }
        accumulateUptime();
        destroyPartition();
        return transition(VmState.SAVED);
    }

    private static List<dev.parvis.abi.hv.HvRegisterName> savedRegisters(int vp) {
        List<dev.parvis.abi.hv.HvRegisterName> names = new ArrayList<>(VpRegisters.SAVED);
        names.add(dev.parvis.abi.hv.HvRegisterName.EXPLICIT_SUSPEND);
        // Halted (bit 1): a VP saved in HLT stays halted after the restore, no spurious wake-up; and a
        // SynIC wake it had not slept through yet stays pending, no lost one. A VP the guest has not
        // started yet (startup suspend) stays waiting.
        names.add(dev.parvis.abi.hv.HvRegisterName.INTERNAL_ACTIVITY_STATE);
        names.add(dev.parvis.abi.hv.HvRegisterName.PENDING_INTERRUPTION);
        return names;
    }

    /** Disk requests in flight complete into the guest's rings before the rings and RAM are saved. */
    private void quiesceStorage() throws IOException {
        VmStorage s = storage;
        if (s != null) {
            try {
                s.quiesce(SAVE_DRAIN_TIMEOUT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while disk requests drained", e);
            }
        }
    }

    private void rollBackSave(long pid, VmState from) {
        VmStorage s = storage;
        if (s != null) {
            s.unquiesce();
        }
        try {
            env.vmbus().server(pid).ifPresent(VmbusServer::resume);
            env.controls().thawTime(pid);
            if (from instanceof VmState.Running) {
                env.controls().resume(pid);
            }
        } catch (RuntimeException e) {
            LOG.warn("VM '{}': rolling back a failed save: {}", config.name(), e.getMessage());
        }
        transition(from);
    }

    /**
     * Every guest page (GPN 1 up), read through a snapshot grant of the suspended partition: the
     * guest's RAM, including what lies under an overlay page (the overlays are saved on their own).
     */
    private byte[] snapshot(long pid) {
        int pages = rights.length - 1;
        long[] gpns = new long[pages];
        for (int i = 0; i < pages; i++) {
            gpns[i] = i + 1;
        }
        byte[] memory = new byte[Math.multiplyExact(pages, (int) PAGE)];
        MemorySegment target = MemorySegment.ofArray(memory);
        try (GuestMemoryView view = env.hv().grants().openSnapshot(pid, gpns)) {
            int step = Math.max(1, pages / 10);
            for (int i = 0; i < pages; i++) {
                MemorySegment.copy(view.page(i), 0, target, i * PAGE, PAGE);
                if (i % step == step - 1) {
                    progress(20 + (int) (50L * (i + 1) / pages)); // 20..70: the pages are most of a save
                }
            }
        }
        return memory;
    }

    // ---- at rest -----------------------------------------------------------------------------

    private VmState delete() {
        VmState last = state;
        try {
            Files.deleteIfExists(env.store().vmDirectory(id).resolve(MARKER));
        } catch (IOException e) {
            throw new VmException("VM '%s' cannot be deleted: %s".formatted(config.name(), e.getMessage()), e);
        }
        env.store().delete(id);
        retired = true;
        publish(new VmEvent.Removed(id, config.name(), Instant.now()));
        return last;
    }

    private VmState configure(VmConfig next) {
        VmConfig current = config;
        if (!next.id().equals(id)) {
            throw new VmException("Set-VM: configuration of %s cannot change its id to %s".formatted(id, next.id()));
        }
        boolean hardware = next.vcpuCount() != current.vcpuCount() || next.memoryMiB() != current.memoryMiB()
                || !Objects.equals(next.image(), current.image()) || !Objects.equals(next.devices(), current.devices());
        if (hardware && !(state instanceof VmState.Off || state instanceof VmState.Failed)) {
            throw new IllegalVmStateException(current.name(), state, "Set-VM (processors, memory, image or devices)");
        }
        env.store().save(next);
        config = next;
        LoadedChild c = child;
        if (c != null && !next.cpu().equals(current.cpu())) {
            env.controls().applyCpu(c.partitionId(), next.cpu());
        }
        publish(new VmEvent.ConfigChanged(id, Instant.now()));
        return state;
    }

    // ---- guest-initiated ---------------------------------------------------------------------

    private void onIntercept(long pid, HvMessage m) {
        // A graceful stop blocks the worker thread on this future, so it is completed here, not from the queue.
        if (m.sender() == pid && GuestExit.decode(m) instanceof GuestExit.PowerOff) {
            poweredOff.complete(null);
        }
        queue.add(() -> handleIntercept(m));
    }

    private synchronized void onMessage(HvMessage m) {
        byte[] payload = m.payload().clone();
        lastGuestMessage = payload;
        lastGuestRecord = new GuestMessage(++guestMessageCount, payload, Instant.now());
    }

    private void handleIntercept(HvMessage m) {
        LoadedChild c = child;
        if (c == null || m.sender() != c.partitionId()) {
            return;
        }
        switch (GuestExit.decode(m)) {
            case GuestExit.PowerOff off -> {
                guestLines.info(LOG, "VM '{}': the guest powered off{}", config.name(), reportedStatus(off, c.partitionId()));
                transition(VmState.STOPPING);
                destroyPartition();
                transition(VmState.OFF);
            }
            case GuestExit.Fatal fatal -> {
                String reason = fatal.reason();
                guestLines.warn(LOG, "VM '{}' failed: {}", config.name(), reason);
                destroyPartition();
                // The state first: whoever hears the Failed event reads the VM as Failed.
                transition(new VmState.Failed(reason));
                publish(new VmEvent.Failed(id, config.name(), reason, Instant.now()));
            }
        }
    }

    /** ", status 3" when the guest reported an exit status with its power-off, else "". */
    private String reportedStatus(GuestExit.PowerOff off, long pid) {
        try {
            OptionalInt status = off.status(env.hc(), pid);
            return status.isPresent() ? ", status " + status.getAsInt() : "";
        } catch (RuntimeException e) {
            return " (its status could not be read: " + e.getMessage() + ")";
        }
    }

    // ---- the partition -----------------------------------------------------------------------

    private void destroyPartition() {
        LoadedChild c = child;
        if (c == null) {
            return;
        }
        long pid = c.partitionId();
        env.router().unregister(pid);
        env.stats().release(pid).ifPresent(s -> {
            cpuNanosBefore += s.cpuNanos();
            hypercallsBefore += s.hypercalls();
        });
        for (EchoDevice e : echoes) {
            vmbusInBefore += e.counters().bytesIn();
            vmbusOutBefore += e.counters().bytesOut();
        }
        echoes.clear();
        accumulateUptime();
        env.vmbus().detach(pid);
        closeIntegrationServices();
        closeStorage();
        env.loader().destroy(c);
        child = null;
    }

    private void closeIntegrationServices() {
        IntegrationServices services = ics;
        ics = null;
        if (services != null) {
            try {
                services.close();
            } catch (RuntimeException e) {
                LOG.warn("VM '{}': closing its integration services: {}", config.name(), e.getMessage());
            }
        }
    }

    private void accumulateUptime() {
        long since = runningSinceNanos;
        if (since >= 0) {
            uptimeNanosBefore += System.nanoTime() - since;
            runningSinceNanos = -1;
        }
    }

    VmMetrics metrics() {
        LoadedChild c = child;
        long cpu = cpuNanosBefore;
        long hypercalls = hypercallsBefore;
        long memory = 0;
        if (c != null) {
            Optional<PartitionStatistics> s = env.stats().read(c.partitionId());
            if (s.isPresent()) {
                cpu += s.get().cpuNanos();
                hypercalls += s.get().hypercalls();
                memory = s.get().mappedPages() * PAGE;
            }
        }
        long in = vmbusInBefore;
        long out = vmbusOutBefore;
        for (EchoDevice e : List.copyOf(echoes)) {
            in += e.counters().bytesIn();
            out += e.counters().bytesOut();
        }
        long since = runningSinceNanos;
        long uptime = uptimeNanosBefore + (since >= 0 ? System.nanoTime() - since : 0);
        return new VmMetrics(Duration.ofNanos(cpu), Duration.ofNanos(uptime), memory, hypercalls, in, out, 0, 0);
    }

    // ---- state and events --------------------------------------------------------------------

    private VmState transition(VmState to) {
        VmState from = state;
        state = to;
        publish(new VmEvent.StateChanged(id, config.name(), from, to, Instant.now()));
        if (!env.hostStopping().getAsBoolean() && isStable(to)) {
            writeMarker(to);
        }
        return to;
    }

    private static boolean isStable(VmState s) {
        return VmTransitions.isLive(s) || VmTransitions.isAtRest(s);
    }

    /** Persists the last stable state the user left the VM in (for START_IF_RUNNING at the next host start). */
    private void writeMarker(VmState s) {
        Path dir = env.store().vmDirectory(id);
        try {
            if (!Files.isDirectory(dir)) {
                return;
            }
            Path tmp = dir.resolve(MARKER + ".tmp");
            Files.writeString(tmp, s.getClass().getSimpleName());
            Files.move(tmp, dir.resolve(MARKER), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn("VM '{}': cannot record its state for the next host start: {}", config.name(), e.getMessage());
        }
    }

    /** The state recorded by {@link #writeMarker}: "Running", "Paused", "Saved", "Off", "Failed", or empty. */
    static Optional<String> lastHostState(Path vmDirectory) {
        Path marker = vmDirectory.resolve(MARKER);
        if (!Files.exists(marker, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new String(HostFile.read(marker, MARKER_MAX_BYTES, HostFile.Links.REFUSE), StandardCharsets.UTF_8).strip());
        } catch (HostFileException e) {
            LOG.warn("VM directory {}: last host state unreadable, taken as none: {}", vmDirectory, e.getMessage());
            return Optional.empty();
        }
    }

    private void publish(VmEvent event) {
        env.events().accept(event);
    }
}
