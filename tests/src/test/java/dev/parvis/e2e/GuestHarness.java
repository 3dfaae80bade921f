package dev.parvis.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import dev.parvis.abi.boot.BootProtocol;
import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.message.IoPortInterceptMessage;
import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.HypervisorConfig;
import dev.parvis.hv.partition.Partition;
import dev.parvis.hv.vp.VirtualProcessor;
import dev.parvis.root.loader.ChildChannels;
import dev.parvis.root.loader.ChildLoader;
import dev.parvis.root.loader.ElfImage;
import dev.parvis.root.loader.GuestSpec;
import dev.parvis.root.loader.LoadedChild;
import dev.parvis.vmcore.RootHypercalls;
import dev.parvis.vmcore.RootSynic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * One booted hypervisor with the root's loader, for end-to-end tests that run gcc-built guests.
 *
 * <p>Two pump threads drain the root's SynIC: messages on {@link ChildChannels#ROOT_MESSAGE_SINT} are
 * queued per sending root port (one per child), intercepts on {@link RootSynic#INTERCEPT_SINT} per
 * partition, so tests with several children never steal each other's traffic. Every wait is bounded;
 * a timeout fails the test with the child's debug output.
 */
public final class GuestHarness implements AutoCloseable {
    public static final Duration TIMEOUT = Duration.ofSeconds(20);
    public static final long POOL_BYTES = 64L << 20;
    public static final long GUEST_RAM = 4L << 20;
    /** Debug output kept per child (the first this many characters). */
    public static final int MAX_OUTPUT_CHARS = 4 << 20;

    public final Hypervisor hv;
    public final RootHypercalls hc;
    public final ChildLoader loader;

    private final Map<Long, StringBuffer> debug = new ConcurrentHashMap<>();
    private final Map<Long, Set<String>> vpThreads = new ConcurrentHashMap<>();
    private final Map<Long, BlockingQueue<HvMessage>> messages = new ConcurrentHashMap<>();
    private final Map<Long, BlockingQueue<HvMessage>> intercepts = new ConcurrentHashMap<>();
    private final List<LoadedChild> live = new ArrayList<>();
    private final List<Thread> pumps = new ArrayList<>();
    private volatile boolean closing;

    public GuestHarness() {
        hv = Hypervisor.boot(BackendUnderTest.config(POOL_BYTES, Duration.ofMillis(10)));
        hc = new RootHypercalls(hv.gateway());
        loader = new ChildLoader(hc, hv.rootMemory());
        hv.setDebugListener((id, bytes) -> {
            StringBuffer out = debug.computeIfAbsent(id, k -> new StringBuffer());
            if (out.length() < MAX_OUTPUT_CHARS) { // a flooding guest must not fill the test JVM
                out.append(new String(bytes, StandardCharsets.UTF_8));
            }
            vpThreads.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(Thread.currentThread().getName());
        });
        pumps.add(pump(ChildChannels.ROOT_MESSAGE_SINT, messages));
        pumps.add(pump(RootSynic.INTERCEPT_SINT, intercepts));
    }

    private Thread pump(int sint, Map<Long, BlockingQueue<HvMessage>> byKey) {
        return Thread.ofPlatform().daemon(true).name("e2e-root-sint-" + sint).start(() -> {
            try {
                while (!closing) {
                    hv.rootSynic().take(sint, Duration.ofMillis(50))
                            .ifPresent(m -> queue(byKey, m.sender()).add(m));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private static BlockingQueue<HvMessage> queue(Map<Long, BlockingQueue<HvMessage>> byKey, long key) {
        return byKey.computeIfAbsent(key, k -> new LinkedBlockingQueue<>());
    }

    /** Polls {@code done} every 10 ms; fails the test naming {@code what} when {@code timeout} passes first. */
    public static void await(Duration timeout, BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what + " not reached within " + timeout.toMillis() + " ms");
            }
            Thread.sleep(10);
        }
    }

    public static Path guestsDir() {
        String dir = System.getProperty("parvis.guests.dir");
        if (dir == null) {
            fail("system property parvis.guests.dir is not set (run through Maven)");
        }
        return Path.of(dir);
    }

    public static ElfImage image(String guest) {
        Path elf = guestsDir().resolve(guest + ".elf");
        try {
            return ElfImage.parse(Files.readAllBytes(elf));
        } catch (IOException e) {
            throw new UncheckedIOException("guest image " + elf + " (build guest-sdk first)", e);
        }
    }

    /** Loads and starts {@code guest}; it is destroyed at {@link #close()} unless destroyed before. */
    public LoadedChild boot(String guest) {
        return boot(guest, GUEST_RAM);
    }

    public LoadedChild boot(String guest, long ramBytes) {
        return boot(guest, ramBytes, id -> { });
    }

    /**
     * Loads {@code guest} and starts it once {@code beforeStart} has wired what else it needs (VMBus,
     * say; see {@link ChildLoader#load(GuestSpec, LongConsumer)}).
     */
    public LoadedChild boot(String guest, long ramBytes, LongConsumer beforeStart) {
        return boot(guest, ramBytes, 1, beforeStart);
    }

    /** Loads {@code guest} with {@code vpCount} VPs (VP 0 starts, the guest starts the others). */
    public LoadedChild boot(String guest, long ramBytes, int vpCount, LongConsumer beforeStart) {
        LoadedChild child = loader.load(new GuestSpec(guest, image(guest), ramBytes, vpCount), beforeStart);
        synchronized (live) {
            live.add(child);
        }
        return child;
    }

    public void destroy(LoadedChild child) {
        synchronized (live) {
            live.remove(child);
        }
        loader.destroy(child);
    }

    /** Posts {@code payload} (message type 1) on the root's connection to {@code child}. */
    public HvStatus post(LoadedChild child, byte[] payload) {
        return hc.postMessage(child.channels().rootToChildConnection(), new HvMessageType(1), payload);
    }

    /** Posts and fails the test unless the hypervisor accepted the message. */
    public void send(LoadedChild child, byte[] payload) {
        HvStatus status = post(child, payload);
        if (!status.isSuccess()) {
            fail("root post to %s failed: %s%n%s".formatted(child.name(), status, describe(child)));
        }
    }

    /** The next message {@code child} posted to the root; fails after {@code timeout}. */
    public HvMessage awaitMessage(LoadedChild child, Duration timeout) throws InterruptedException {
        HvMessage m = queue(messages, child.channels().rootMessagePortId()).poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (m == null) {
            fail("no message from %s within %s%n%s".formatted(child.name(), timeout, describe(child)));
        }
        return m;
    }

    public HvMessage awaitMessage(LoadedChild child) throws InterruptedException {
        return awaitMessage(child, TIMEOUT);
    }

    /**
     * Like {@link #awaitMessage(LoadedChild, Duration)}, for a child that must keep running until it
     * answers: fails at once, with the kernel's view of it, when its partition failed or it took an
     * intercept (either stops it for good without the root's help), instead of waiting out the timeout.
     */
    public HvMessage awaitMessageWhileRunning(LoadedChild child, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        BlockingQueue<HvMessage> queue = queue(messages, child.channels().rootMessagePortId());
        while (System.nanoTime() - deadline < 0) {
            HvMessage m = queue.poll(200, TimeUnit.MILLISECONDS);
            if (m != null) {
                return m;
            }
            Partition p = partition(child);
            HvMessage intercept = queue(intercepts, child.partitionId()).peek();
            if (p == null || p.state() == dev.parvis.hv.partition.PartitionState.FAILED || intercept != null) {
                fail("%s stopped before it answered (intercept: %s)%n%s".formatted(child.name(),
                        intercept == null ? "none" : intercept.type(), describe(child)));
            }
        }
        fail("no message from %s within %s%n%s".formatted(child.name(), timeout, describe(child)));
        return null;
    }

    /** A message from {@code child} if one arrives within {@code wait}. */
    public Optional<HvMessage> pollMessage(LoadedChild child, Duration wait) throws InterruptedException {
        return Optional.ofNullable(queue(messages, child.channels().rootMessagePortId())
                .poll(wait.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** The next intercept the hypervisor reported for {@code child}; fails after {@code timeout}. */
    public HvMessage awaitIntercept(LoadedChild child, Duration timeout) throws InterruptedException {
        HvMessage m = queue(intercepts, child.partitionId()).poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (m == null) {
            fail("no intercept for %s within %s%n%s".formatted(child.name(), timeout, describe(child)));
        }
        return m;
    }

    public Optional<HvMessage> pollIntercept(LoadedChild child, Duration wait) throws InterruptedException {
        return Optional.ofNullable(queue(intercepts, child.partitionId()).poll(wait.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** Waits for the power-off port write; any other intercept first fails the test. */
    public void awaitPowerOff(LoadedChild child, Duration timeout) throws InterruptedException {
        HvMessage m = awaitIntercept(child, timeout);
        if (!m.type().equals(HvMessageType.X64_IO_PORT_INTERCEPT)) {
            fail("%s: expected the power-off port write, got intercept %s%n%s".formatted(child.name(), m.type(), describe(child)));
        }
        IoPortInterceptMessage io = IoPortInterceptMessage.read(MemorySegment.ofArray(m.payload()));
        if ((io.portNumber() & 0xFFFF) != BootProtocol.POWER_OFF_PORT || (io.rax() & 0xFFFF) != BootProtocol.POWER_OFF_VALUE) {
            fail("%s: write of 0x%x to port 0x%x is not a power-off".formatted(child.name(), io.rax(), io.portNumber() & 0xFFFF));
        }
    }

    public void awaitPowerOff(LoadedChild child) throws InterruptedException {
        awaitPowerOff(child, TIMEOUT);
    }

    /** Waits until {@code child}'s debug output contains {@code text}. */
    public void awaitOutput(LoadedChild child, String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!output(child).contains(text)) {
            if (System.nanoTime() > deadline) {
                fail("%s never printed \"%s\" within %s%n%s".formatted(child.name(), text, timeout, describe(child)));
            }
            Thread.sleep(5);
        }
    }

    /** Everything {@code child} wrote through HvCallPostDebugData so far. */
    public String output(LoadedChild child) {
        StringBuffer b = debug.get(child.partitionId());
        return b == null ? "" : b.toString();
    }

    /** Names of the host threads on which {@code child}'s debug output was produced. */
    public Set<String> vpThreads(LoadedChild child) {
        return Set.copyOf(vpThreads.getOrDefault(child.partitionId(), Set.of()));
    }

    public Partition partition(LoadedChild child) {
        return hv.partitions().get(child.partitionId());
    }

    public VirtualProcessor vp0(LoadedChild child) {
        return partition(child).vp(0);
    }

    public String describe(LoadedChild child) {
        return "--- debug output of %s (partition %d) ---%n%s--- end ---%n%s".formatted(child.name(), child.partitionId(), output(child),
                kernelView(child));
    }

    /**
     * The kernel's view of the child's VPs, twice half a second apart (so a stalled VP shows whether it
     * still exits): its flags, exit and hypercall counts, and RIP/RSP/RAX/RCX read by its owner.
     */
    public String kernelView(LoadedChild child) {
        Partition p = partition(child);
        if (p == null) {
            return "(partition gone)";
        }
        StringBuilder out = new StringBuilder();
        for (int round = 0; round < 2; round++) {
            out.append("partition ").append(p.id()).append(' ').append(p.state()).append(p.state() == dev.parvis.hv.partition.PartitionState.FAILED
                    ? " (" + p.failureReason() + ")" : "").append(" intercepts=").append(p.intercepts().get()).append(" suspended=").append(p.isSuspended())
                    .append(" held=").append(p.runner().heldByLp()).append('\n');
            for (VirtualProcessor vp : p.vps()) {
                if (vp == null) {
                    continue;
                }
                out.append("  ").append(vp).append(" halted=").append(vp.isHalted()).append(" wakePending=").append(vp.wakePending())
                        .append(" explicit=").append(vp.explicitSuspended()).append(" intercept=").append(vp.interceptSuspended())
                        .append(" startup=").append(vp.startupSuspended()).append(" exits=").append(vp.exitCount())
                        .append(" hypercalls=").append(vp.hypercallCount()).append(" registers: ").append(registers(vp)).append('\n');
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return out.toString();
    }

    private static String registers(VirtualProcessor vp) {
        try {
            return vp.partition().runner().execute(() -> {
                var e = vp.engine();
                return "rip=%x rsp=%x rax=%x rcx=%x rdx=%x r8=%x rflags=%x".formatted(
                        e.readRegister(dev.parvis.hv.backend.X64Register.RIP), e.readRegister(dev.parvis.hv.backend.X64Register.RSP),
                        e.readRegister(dev.parvis.hv.backend.X64Register.RAX), e.readRegister(dev.parvis.hv.backend.X64Register.RCX),
                        e.readRegister(dev.parvis.hv.backend.X64Register.RDX), e.readRegister(dev.parvis.hv.backend.X64Register.R8),
                        e.readRegister(dev.parvis.hv.backend.X64Register.RFLAGS));
            });
        } catch (RuntimeException e) {
            return "(not read: " + e + ")";
        }
    }

    /** Little-endian view of a message payload. */
    public static ByteBuffer le(HvMessage m) {
        return ByteBuffer.wrap(m.payload()).order(ByteOrder.LITTLE_ENDIAN);
    }

    public static byte[] u64s(long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return b.array();
    }

    public static byte[] u32s(int... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    @Override
    public void close() {
        try {
            List<LoadedChild> children;
            synchronized (live) {
                children = List.copyOf(live);
                live.clear();
            }
            for (LoadedChild c : children) {
                loader.destroy(c);
            }
        } finally {
            closing = true;
            for (Thread t : pumps) {
                try {
                    t.join(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            hv.close();
        }
    }
}
