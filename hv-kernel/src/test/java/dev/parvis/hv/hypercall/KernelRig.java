package dev.parvis.hv.hypercall;

import dev.parvis.abi.hv.HvConstants;
import dev.parvis.abi.hv.HvMapGpaFlags;
import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.HypervisorConfig;
import dev.parvis.hv.backend.BackendChoice;
import dev.parvis.hv.backend.kvm.KvmBackend;
import dev.parvis.hv.vp.VirtualProcessor;
import dev.parvis.vmcore.RootHypercalls;
import dev.parvis.vmcore.RootPageView;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * A booted hypervisor and helpers to build small hand-assembled children. The backend is the system
 * property {@code parvis.backend} (Maven runs these tests once on unicorn, once on kvm); a kvm run
 * where KVM cannot be used prints the reason once and skips.
 */
final class KernelRig implements AutoCloseable {
    private static final java.util.concurrent.atomic.AtomicBoolean REPORTED = new java.util.concurrent.atomic.AtomicBoolean();
    static final long CODE_GPN = 0x100;
    /** Every child's hypercall page: guests call it (VMCALL reaches the kernel on unicorn only). */
    static final long HYPERCALL_GPN = 0xFF;
    /** A stack page below it; RSP starts at its top. */
    static final long STACK_GPN = 0xFE;
    /** What {@link #initializedChild} deposits: enough for the partition and one VP. */
    static final int CHILD_DEPOSIT = HvConstants.DEPOSIT_PAGES_PER_PARTITION + HvConstants.DEPOSIT_PAGES_PER_VP;

    final Hypervisor hv;
    final RootHypercalls hc;

    KernelRig() {
        this(new HypervisorConfig(32L << 20, backend(), Duration.ofMillis(10)));
    }

    /** A rig whose hypervisor runs {@code logicalProcessors} LP threads. */
    KernelRig(int logicalProcessors) {
        this(new HypervisorConfig(64L << 20, backend()::open, Duration.ofMillis(10), logicalProcessors));
    }

    private KernelRig(HypervisorConfig config) {
        hv = Hypervisor.boot(config);
        hc = new RootHypercalls(hv.gateway());
    }

    static BackendChoice backend() {
        BackendChoice choice = BackendChoice.fromSystemProperty(BackendChoice.UNICORN);
        String reason = choice == BackendChoice.KVM ? KvmBackend.unavailableReason().orElse(null) : null;
        if (reason != null) {
            if (REPORTED.compareAndSet(false, true)) {
                System.out.println("[parvis] KVM backend unavailable, kernel tests skipped on kvm: " + reason);
            }
            org.junit.jupiter.api.Assumptions.abort("KVM backend unavailable: " + reason);
        }
        return choice;
    }

    /** A created, deposited and initialized child with no memory. */
    long initializedChild() {
        long id = hc.createPartition(0);
        hc.depositMemory(id, hv.rootMemory().allocate(CHILD_DEPOSIT));
        hc.initializePartition(id);
        return id;
    }

    /**
     * A child running {@code code} at GPA 0x100000 with {@code extraPages} read-write pages after it,
     * and {@code setup} applied to its VP before it starts.
     */
    long childRunning(byte[] code, int extraPages, java.util.function.LongConsumer setup) {
        long id = initializedChild();
        long[] codePage = hv.rootMemory().allocate(1);
        try (RootPageView view = hv.rootMemory().view(codePage)) {
            view.write(0, code, 0, code.length);
        }
        hc.mapGpaPages(id, CODE_GPN, HvMapGpaFlags.READABLE | HvMapGpaFlags.EXECUTABLE, codePage);
        hc.mapGpaPages(id, HYPERCALL_GPN, HvMapGpaFlags.READABLE | HvMapGpaFlags.EXECUTABLE, hv.rootMemory().allocate(1));
        hc.mapGpaPages(id, STACK_GPN, HvMapGpaFlags.READABLE | HvMapGpaFlags.WRITABLE, hv.rootMemory().allocate(1));
        if (extraPages > 0) {
            hc.mapGpaPages(id, CODE_GPN + 1, HvMapGpaFlags.READABLE | HvMapGpaFlags.WRITABLE, hv.rootMemory().allocate(extraPages));
        }
        hc.createVp(id, 0);
        hc.setVpRegister(id, 0, dev.parvis.abi.hv.HvRegisterName.RIP, CODE_GPN << 12);
        hc.setVpRegister(id, 0, dev.parvis.abi.hv.HvRegisterName.RSP, (STACK_GPN + 1) << 12);
        hc.setVpRegister(id, 0, dev.parvis.abi.hv.HvRegisterName.HYPERCALL, (HYPERCALL_GPN << 12) | 1);
        setup.accept(id);
        hc.finalizePartition(id);
        return id;
    }

    /** Appends {@code call} to the hypercall page to code that runs from GPA CODE_GPN << 12. */
    static void callHypercallPage(java.nio.ByteBuffer code) {
        long next = (CODE_GPN << 12) + code.position() + 5;
        code.put((byte) 0xE8).putInt((int) ((HYPERCALL_GPN << 12) - next));
    }

    VirtualProcessor vp(long id) {
        return hv.partitions().get(id).vp(0);
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(2);
        }
    }

    @Override
    public void close() {
        hv.close();
    }
}
