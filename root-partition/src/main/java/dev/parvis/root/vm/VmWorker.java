package dev.parvis.root.vm;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.devices.ic.IntegrationServices;
import dev.parvis.root.config.VmConfig;
import dev.parvis.root.loader.ChildLoader;
import dev.parvis.root.loader.ElfImage;
import dev.parvis.root.loader.GuestSpec;
import dev.parvis.root.loader.InvalidImageException;
import dev.parvis.root.loader.LoadedChild;
import dev.parvis.vmcore.PartitionStatistics;
import dev.parvis.vmcore.log.LogBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
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

    private final VmEnvironment env;
    private final UUID id;
    /** Intercepts the router handed over that this thread has not handled yet (see refuseIfTheGuestExited). */
    private final java.util.Queue<HvMessage> exitsInHand = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Lines the guest can cause (its power-off, its failure, what its intercepts make go wrong). */
    private final LogBudget guestLines = LogBudget.standard();
    private volatile VmConfig config;
    private volatile VmState state;

    // The partition and what was built for it: touched only on the worker thread (volatile for metrics).
    private volatile LoadedChild child;
    private int[] rights;
    private int vpCount;
    private final PartitionDevices devices;
    private final PartitionWiring wiring;
    private final VmUsage usage = new VmUsage();
    private final GuestMailbox mailbox = new GuestMailbox();
    private final VmAnnouncements announcements;
    private final WorkerQueue work;
    /** Completed from the router thread when the running partition powers off (a graceful stop waits on it). */
    private volatile CompletableFuture<Void> poweredOff = new CompletableFuture<>();

    VmWorker(VmEnvironment env, VmConfig config) {
        this.env = env;
        this.id = config.id();
        this.config = config;
        this.devices = new PartitionDevices(env.hc(), () -> this.config.name());
        this.wiring = new PartitionWiring(env, devices);
        this.state = env.store().hasSavedState(id) ? VmState.SAVED : VmState.OFF;
        this.announcements = new VmAnnouncements(env.events());
        this.work = new WorkerQueue(() -> this.config.name(), env.threads(), announcements, guestLines);
    }

    /** Starts the worker's thread ({@link WorkerQueue#begin}: a first request may already be queued). */
    VmWorker begin() {
        work.begin();
        return this;
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
        return mailbox.lastPayload();
    }

    Optional<GuestMailbox.Received> lastGuestRecord() {
        return mailbox.last();
    }

    /** The running partition's integration services, when its config has the device. */
    Optional<IntegrationServices> integrationServices() {
        return devices.integrationServices();
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
        return work.request(listener, () -> {
            if (!VmTransitions.allowed(state, request)) {
                throw new IllegalVmStateException(config.name(), state, request.operation());
            }
            return perform(request);
        });
    }

    /**
     * The first start of a VM still being created ({@link VmManagementService#createAndStart}): the
     * partition is built now, the guest runs and the start shows only once {@code creation} is durable.
     */
    CompletableFuture<VmState> startOnCreation(VmCreation creation, RequestProgress listener) {
        return work.request(listener, () -> boot(creation));
    }

    /** Stops the thread after the queued work (the partition, if any, is left to the caller). */
    void retire() {
        work.retire();
    }

    void awaitRetired(Duration timeout) throws InterruptedException {
        work.awaitRetired(timeout);
    }

    private VmState perform(VmRequest request) {
        return switch (request) {
            case VmRequest.Start s -> state instanceof VmState.Saved ? restore() : boot(VmCreation.NONE);
            case VmRequest.Stop s -> stop();
            case VmRequest.TurnOff t -> turnOff();
            case VmRequest.Pause p -> pause();
            case VmRequest.Resume r -> resume();
            case VmRequest.Save s -> save();
            case VmRequest.Delete d -> delete();
            case VmRequest.Configure c -> configure(c.config());
            case VmRequest.AttachDisk a -> keep(HardDiskDrives.attach(config, a.disk(), devices.storage(), child != null));
            case VmRequest.DetachDisk d -> keep(HardDiskDrives.detach(config, d.controller(), d.lun(), devices.storage()));
        };
    }

    // ---- start -------------------------------------------------------------------------------

    /** Boots from Off; a VM being created ({@code creation} pending) announces Starting only once it is durable. */
    private VmState boot(VmCreation creation) {
        VmConfig c = config;
        long ramBytes = c.memoryMiB() << 20;
        ElfImage image;
        GuestSpec spec;
        try {
            image = env.image(c.image());
            spec = new GuestSpec(c.name(), image, ramBytes, Math.max(1, c.vcpuCount()));
        } catch (InvalidImageException | IllegalArgumentException e) {
            throw failStart(creation, new VmException("VM '%s' cannot start: %s".formatted(c.name(), e.getMessage()), e));
        }
        int vps = Math.max(1, c.vcpuCount());
        work.progress(5);
        try (MemoryAdmission.Ticket t = admit(creation, ramBytes / PAGE + ChildLoader.depositPages(vps))) {
            if (creation.isNone()) {
                transition(VmState.STARTING);
            }
            work.progress(20);
            try {
                child = env.loader().load(spec, pid -> {
                    work.progress(60);
                    prepare(pid, c, vps, () -> { }, null);
                    work.progress(90);
                    awaitCreation(creation, pid);
                });
            } catch (RuntimeException e) {
                wiring.unwireIfWired();
                if (state instanceof VmState.Starting) {
                    transition(VmState.OFF);
                }
                throw failStart(creation, new VmException("VM '%s' failed to start: %s".formatted(c.name(), e.getMessage()), e));
            }
        }
        rights = ChildLoader.pageRights(image, ramBytes);
        vpCount = vps;
        usage.running();
        return transition(VmState.RUNNING);
    }

    /**
     * The last step before the guest's first instruction, for a VM being created: its configuration
     * must be durable first; if it never will be, what was wired for the partition is taken down
     * (the loader deletes the partition itself).
     */
    private void awaitCreation(VmCreation creation, long pid) {
        if (creation.isNone()) {
            return;
        }
        try {
            creation.await();
        } catch (VmException e) {
            wiring.unwire(pid);
            throw e;
        }
        work.progress(95);
        transition(VmState.STARTING);
    }

    private VmState restore() {
        VmConfig c = config;
        VmRestore path = new VmRestore(env);
        SavedState saved;
        work.progress(5);
        try {
            saved = path.read(id, c);
            work.progress(35);
        } catch (SavedStateException e) {
            throw failStart(e);
        }
        try (MemoryAdmission.Ticket t = admit(saved.pageCount() + (long) ChildLoader.depositPages(saved.vpCount()))) {
            transition(VmState.STARTING);
            try {
                child = env.loader().restore(saved, pid -> {
                    work.progress(70);
                    prepare(pid, c, saved.vpCount(), () -> path.restoreVps(pid, saved), saved);
                    work.progress(90);
                });
            } catch (RuntimeException e) {
                wiring.unwireIfWired();
                transition(VmState.SAVED);
                throw failStart(new VmException("VM '%s' failed to restore: %s".formatted(c.name(), e.getMessage()), e));
            }
        }
        rights = saved.rights().clone();
        vpCount = saved.vpCount();
        path.deleteSavedState(id, c.name());
        usage.running();
        return transition(VmState.RUNNING);
    }

    private MemoryAdmission.Ticket admit(long pages) {
        return admit(VmCreation.NONE, pages);
    }

    private MemoryAdmission.Ticket admit(VmCreation creation, long pages) {
        try {
            return env.admission().admit(config.name(), pages);
        } catch (InsufficientHostMemoryException e) {
            throw failStart(creation, e);
        }
    }

    /** Wires the partition before its first instruction (see {@link PartitionWiring#wire}); a graceful stop waits on its power-off. */
    private void prepare(long pid, VmConfig c, int vps, Runnable vpSetup, SavedState saved) {
        poweredOff = new CompletableFuture<>();
        wiring.wire(pid, c, vps, vpSetup, saved, m -> onIntercept(pid, m), mailbox::accept);
    }

    private <E extends VmException> E failStart(E e) {
        return failStart(VmCreation.NONE, e);
    }

    /** A start that failed is announced, once the VM is known to exist (a failed creation leaves nothing to announce). */
    private <E extends VmException> E failStart(VmCreation creation, E e) {
        if (creation.awaitQuietly()) {
            publish(new VmEvent.Failed(id, config.name(), e.getMessage(), Instant.now()));
        }
        return e;
    }

    // ---- running -----------------------------------------------------------------------------

    private VmState pause() {
        env.controls().suspend(child.partitionId());
        usage.notRunning();
        return transition(VmState.PAUSED);
    }

    private VmState resume() {
        env.controls().resume(child.partitionId());
        usage.running();
        return transition(VmState.RUNNING);
    }

    private VmState stop() {
        IntegrationServices services = devices.integrationServices().orElse(null);
        Optional<String> why = GracefulShutdown.refusal(services, state);
        if (why.isEmpty()) {
            transition(VmState.STOPPING);
            Optional<String> failure = GracefulShutdown.request(services, poweredOff, config.name());
            if (failure.isEmpty()) {
                destroyPartition();
                return transition(VmState.OFF);
            }
            why = Optional.of("the graceful shutdown failed: " + failure.get() + ": the VM was turned off");
        }
        if (!(state instanceof VmState.Stopping)) {
            transition(VmState.STOPPING);
        }
        destroyPartition();
        publish(new VmEvent.Notice(id, config.name(), "Stop-VM: " + why.get(), Instant.now()));
        return transition(VmState.OFF);
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
        VmSave path = new VmSave(env, devices, work::progress);
        try {
            path.save(id, config.name(), pid, vpCount, rights, env.store().savedStatePath(id));
            refuseIfTheGuestExited(pid);
        } catch (IOException | RuntimeException e) {
            path.rollBack(config.name(), pid, from instanceof VmState.Running);
            transition(from);
            VmException failure = new VmException("VM '%s' could not be saved: %s".formatted(config.name(), e.getMessage()), e);
            publish(new VmEvent.Failed(id, config.name(), failure.getMessage(), Instant.now()));
            throw failure;
        }
        usage.notRunning();
        destroyPartition();
        return transition(VmState.SAVED);
    }

    /**
     * An exit the router took from the kernel before the save's snapshot of the VP, and handed to this
     * thread behind the save, is in neither the kernel's saved state nor the VM's: saving would lose
     * it (a guest that powered off would halt forever after the restore). The save gives way to it.
     */
    private void refuseIfTheGuestExited(long pid) throws IOException {
        if (exitsInHand.stream().anyMatch(m -> m.sender() == pid)) {
            Files.deleteIfExists(env.store().savedStatePath(id));
            throw new IOException("the guest exited (powered off or failed) while it was being saved; its exit is handled instead");
        }
    }

    // ---- at rest -----------------------------------------------------------------------------

    private VmState delete() {
        VmState last = state;
        try {
            HostStateMarker.delete(env.store().vmDirectory(id));
        } catch (IOException e) {
            throw new VmException("VM '%s' cannot be deleted: %s".formatted(config.name(), e.getMessage()), e);
        }
        env.store().delete(id);
        work.retireAfterThis();
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

    /** Keeps a disk change in the configuration (undoing its live part if the configuration cannot be written). */
    private VmState keep(HardDiskDrives.Change change) {
        try {
            env.store().save(change.config());
        } catch (RuntimeException e) {
            change.undo().run();
            throw e;
        }
        config = change.config();
        publish(new VmEvent.ConfigChanged(id, Instant.now()));
        return state;
    }

    // ---- guest-initiated ---------------------------------------------------------------------

    private void onIntercept(long pid, HvMessage m) {
        // A graceful stop blocks the worker thread on this future, so it is completed here, not from the queue.
        if (m.sender() == pid && GuestExit.decode(m) instanceof GuestExit.PowerOff) {
            poweredOff.complete(null);
        }
        exitsInHand.add(m);
        work.post(() -> handleIntercept(m));
    }

    private void handleIntercept(HvMessage m) {
        exitsInHand.remove(m);
        LoadedChild c = child;
        if (c == null || m.sender() != c.partitionId()) {
            return;
        }
        switch (GuestExit.decode(m)) {
            case GuestExit.PowerOff off -> {
                guestLines.info(LOG, "VM '{}': the guest powered off{}", config.name(), off.describeStatus(env.hc(), c.partitionId()));
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

    // ---- the partition -----------------------------------------------------------------------

    private void destroyPartition() {
        LoadedChild c = child;
        if (c == null) {
            return;
        }
        long pid = c.partitionId();
        usage.partitionEnded(env.stats().release(pid), devices.echoBytesIn(), devices.echoBytesOut());
        devices.forgetEchoes();
        usage.notRunning();
        wiring.unwireAfterRun(pid);
        env.loader().destroy(c);
        child = null;
    }

    VmMetrics metrics() {
        LoadedChild c = child;
        Optional<PartitionStatistics> live = c == null ? Optional.empty() : env.stats().read(c.partitionId());
        return usage.metrics(live, devices.echoBytesIn(), devices.echoBytesOut());
    }

    // ---- state and events --------------------------------------------------------------------

    private VmState transition(VmState to) {
        VmState from = state;
        state = to;
        announcements.stateChanged(new VmEvent.StateChanged(id, config.name(), from, to, Instant.now()),
                env.store().vmDirectory(id), env.hostStopping().getAsBoolean());
        return to;
    }

    /** Announced once the request in hand is answered ({@link VmAnnouncements}). */
    private void publish(VmEvent event) {
        announcements.event(event);
    }
}
