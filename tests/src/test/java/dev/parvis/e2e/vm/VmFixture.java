package dev.parvis.e2e.vm;

import dev.parvis.e2e.BackendUnderTest;
import dev.parvis.e2e.GuestHarness;

import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.HypervisorConfig;
import dev.parvis.root.config.ConfigStore;
import dev.parvis.root.config.VmConfig;
import dev.parvis.root.vm.VmEvent;
import dev.parvis.root.vm.VmManagementService;
import dev.parvis.root.vm.VmState;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A booted hypervisor with a management service over a temporary data directory, and an event log. */
public final class VmFixture implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    public final Hypervisor hv;
    public final ConfigStore store;
    public final VmManagementService service;
    final List<VmEvent> events = new CopyOnWriteArrayList<>();

    public VmFixture(Path dataDir, long poolBytes) {
        this(dataDir, BackendUnderTest.config(poolBytes, HypervisorConfig.DEFAULT_RUN_SLICE));
    }

    /** A fixture over a hypervisor booted with {@code config} (e.g. a given number of logical processors). */
    VmFixture(Path dataDir, HypervisorConfig config) {
        this(dataDir, config, hv -> hv);
    }

    /** A fixture whose management service sees the hypervisor through {@code view} (a stalled root SINT, say). */
    VmFixture(Path dataDir, HypervisorConfig config, java.util.function.UnaryOperator<dev.parvis.vmcore.HypervisorServices> view) {
        hv = Hypervisor.boot(config);
        store = new ConfigStore(dataDir);
        service = new VmManagementService(view.apply(hv), store, GuestHarness.guestsDir());
        service.subscribe(events::add);
    }

    /** True when a VHDX file is held by a writer (a VM): a second writable open is refused by its lock. */
    public static boolean heldByAWriter(Path file) throws java.io.IOException {
        try (dev.parvis.devices.vhdx.VhdxDisk ignored = dev.parvis.devices.vhdx.VhdxDisk.open(file,
                dev.parvis.devices.vhdx.OpenOptions.readWrite())) {
            return false;
        } catch (java.io.IOException e) {
            return true;
        }
    }

    public static VmConfig counterVm(String name, long memoryMiB) {
        return VmConfig.create(name, "counter").withMemoryMiB(memoryMiB);
    }

    public static <T> T await(CompletableFuture<T> future) throws Exception {
        try {
            return future.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** The counter's GPA, once the counter guest has posted it. */
    long counterGpa(UUID id) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            var message = service.lastGuestMessage(id);
            if (message.isPresent() && message.get().length >= 8) {
                return ByteBuffer.wrap(message.get()).order(ByteOrder.LITTLE_ENDIAN).getLong();
            }
            Thread.sleep(5);
        }
        throw new TimeoutException("the counter guest did not post its counter's address");
    }

    long counter(UUID id, long gpa) {
        return service.readGuestU64(id, gpa);
    }

    /** Waits until the counter passes {@code value}; returns the value read. */
    long awaitCounterAbove(UUID id, long gpa, long value) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            long now = counter(id, gpa);
            if (now > value) {
                return now;
            }
            Thread.sleep(2);
        }
        throw new TimeoutException("the counter stayed at or below " + value);
    }

    /** Waits until {@code condition} holds; fails naming {@code what} after {@link #TIMEOUT}. */
    static void until(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(2);
        }
    }

    /** The (from, to) state pairs published for {@code id}, as "From->To" strings. */
    List<String> transitions(UUID id) {
        return events.stream().filter(e -> e instanceof VmEvent.StateChanged s && s.id().equals(id))
                .map(e -> (VmEvent.StateChanged) e)
                .map(s -> name(s.from()) + "->" + name(s.to())).toList();
    }

    static String name(VmState s) {
        return s.getClass().getSimpleName();
    }

    /** Waits until the event thread has delivered events that satisfy {@code done}. */
    void awaitEvents(java.util.function.BooleanSupplier done) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("events not delivered: " + events);
            }
            Thread.sleep(5);
        }
    }

    @Override
    public void close() {
        service.close();
        hv.close();
    }
}
