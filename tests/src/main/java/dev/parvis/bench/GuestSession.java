package dev.parvis.bench;

import dev.parvis.abi.boot.BootProtocol;
import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.message.IoPortInterceptMessage;
import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.HypervisorConfig;
import dev.parvis.hv.backend.BackendChoice;
import dev.parvis.hv.vp.VirtualProcessor;
import dev.parvis.root.loader.ChildChannels;
import dev.parvis.root.loader.ChildLoader;
import dev.parvis.root.loader.ElfImage;
import dev.parvis.root.loader.GuestSpec;
import dev.parvis.root.loader.LoadedChild;
import dev.parvis.vmcore.RootHypercalls;
import dev.parvis.vmcore.RootSynic;
import dev.parvis.vmbus.device.VmbusDeviceClass;
import dev.parvis.vmbus.host.VmbusHost;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A booted hypervisor with one benchmark guest (spin, hcbench) in a child partition, driven by the
 * guests' request protocol: the root posts {u64 N}, the guest does N units of work and replies; a
 * request of N = 0 makes it power off.
 */
final class GuestSession implements AutoCloseable {
    private static final long POOL_BYTES = 256L << 20;
    private static final long GUEST_RAM = 4L << 20;
    private static final HvMessageType REQUEST = new HvMessageType(1);
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(60);

    private final Hypervisor hv;
    private final RootHypercalls hc;
    private final ChildLoader loader;
    private final LoadedChild child;
    private final VmbusHost vmbus;
    private boolean poweredOff;

    private GuestSession(Hypervisor hv, LoadedChild child, ChildLoader loader, RootHypercalls hc, VmbusHost vmbus) {
        this.hv = hv;
        this.child = child;
        this.loader = loader;
        this.hc = hc;
        this.vmbus = vmbus;
    }

    /** Boots a hypervisor on {@code backend} and starts guest {@code name} from the built guests directory. */
    static GuestSession start(String name, BackendChoice backend) throws IOException {
        return start(name, null, HypervisorConfig.DEFAULT_RUN_SLICE, backend);
    }

    /**
     * Like {@link #start(String)}, with VMBus wired before the child starts (as GuestRun does) and
     * {@code vmbusDevices} offered to it (null for no VMBus), and the kernel's VP run slice (the
     * preemption period) set to {@code runSlice}.
     */
    static GuestSession start(String name, List<VmbusDeviceClass> vmbusDevices, Duration runSlice, BackendChoice backend) throws IOException {
        Path dir = Path.of(System.getProperty("parvis.guests.dir", "guest-sdk/target/guests"));
        Path image = dir.resolve(name + ".elf");
        if (!Files.isRegularFile(image)) {
            throw new IOException("no guest image " + image + " (build with ./parvis build)");
        }
        ElfImage elf = ElfImage.parse(Files.readAllBytes(image));
        Hypervisor hv = Hypervisor.boot(new HypervisorConfig(POOL_BYTES, backend, runSlice));
        try {
            RootHypercalls hc = new RootHypercalls(hv.gateway());
            ChildLoader loader = new ChildLoader(hc, hv.rootMemory());
            GuestSpec spec = new GuestSpec(name, elf, GUEST_RAM);
            if (vmbusDevices == null) {
                return new GuestSession(hv, loader.load(spec), loader, hc, null);
            }
            VmbusHost vmbus = new VmbusHost(hv);
            try {
                LoadedChild child = loader.load(spec, id -> vmbus.attach(id, 1, vmbusDevices));
                return new GuestSession(hv, child, loader, hc, vmbus);
            } catch (RuntimeException e) {
                vmbus.close();
                throw e;
            }
        } catch (RuntimeException e) {
            hv.close();
            throw e;
        }
    }

    /** The backend the guest runs on ("kvm", "unicorn"). */
    String backendName() {
        return hv.backend().name();
    }

    /** Posts {u64 n}, retrying while the guest's message slot is busy. */
    void post(long n) throws InterruptedException {
        post(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array());
    }

    /** Posts a request payload of the guest's own format, retrying while its message slot is busy. */
    void post(byte[] payload) throws InterruptedException {
        long deadline = System.nanoTime() + REPLY_TIMEOUT.toNanos();
        while (true) {
            HvStatus status = hc.postMessage(child.channels().rootToChildConnection(), REQUEST, payload);
            if (status.equals(HvStatus.SUCCESS)) {
                return;
            }
            if (!status.equals(HvStatus.INSUFFICIENT_BUFFERS) || System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(child.name() + ": posting the request failed: " + status);
            }
            Thread.onSpinWait();
        }
    }

    /** Waits for the guest's reply; returns its payload. */
    byte[] awaitReply() throws InterruptedException {
        Optional<HvMessage> reply = hv.rootSynic().take(ChildChannels.ROOT_MESSAGE_SINT, REPLY_TIMEOUT);
        if (reply.isEmpty()) {
            VirtualProcessor vp = vp();
            throw new IllegalStateException(child.name() + ": no reply within " + REPLY_TIMEOUT.toSeconds() + " s (VP halted="
                    + vp.isHalted() + ", exits=" + vp.exitCount() + ", hypercalls=" + vp.hypercallCount() + ")" + failureHint());
        }
        if (reply.get().sender() != child.channels().rootMessagePortId()) {
            throw new IllegalStateException(child.name() + ": message from unexpected port " + reply.get().sender());
        }
        return reply.get().payload();
    }

    /** One request and its reply; returns the nanoseconds from posting to the reply's arrival. */
    long roundTrip(long n, ReplyCheck check) throws InterruptedException {
        long t0 = System.nanoTime();
        post(n);
        byte[] reply = awaitReply();
        long elapsed = System.nanoTime() - t0;
        check.verify(n, MemorySegment.ofArray(reply));
        return elapsed;
    }

    /** Checks a reply's payload against the request. */
    @FunctionalInterface
    interface ReplyCheck {
        void verify(long n, MemorySegment reply);
    }

    private String failureHint() throws InterruptedException {
        Optional<HvMessage> intercept = hv.rootSynic().poll(RootSynic.INTERCEPT_SINT);
        return intercept.map(m -> "; intercept " + m.type() + " from partition " + m.sender()).orElse("");
    }

    /** Asks the guest to power off and waits for its power-off port write. */
    private void powerOff() throws InterruptedException {
        post(0);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() - deadline < 0) {
            Optional<HvMessage> m = hv.rootSynic().take(RootSynic.INTERCEPT_SINT, Duration.ofMillis(100));
            if (m.isPresent() && m.get().type().equals(HvMessageType.X64_IO_PORT_INTERCEPT)) {
                IoPortInterceptMessage io = IoPortInterceptMessage.read(MemorySegment.ofArray(m.get().payload()));
                if ((io.portNumber() & 0xFFFF) == BootProtocol.POWER_OFF_PORT) {
                    poweredOff = true;
                    return;
                }
            }
        }
    }

    /** The guest's one VP (its exit, hypercall and run-time counters). */
    VirtualProcessor vp() {
        return hv.partitions().get(child.partitionId()).vps()[0];
    }

    Hypervisor hypervisor() {
        return hv;
    }

    LoadedChild child() {
        return child;
    }

    boolean poweredOff() {
        return poweredOff;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            powerOff();
        } finally {
            try {
                if (vmbus != null) {
                    vmbus.detach(child.partitionId());
                }
                loader.destroy(child);
            } finally {
                if (vmbus != null) {
                    vmbus.close();
                }
                hv.close();
            }
        }
    }
}
