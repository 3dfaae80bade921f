package dev.parvis.hv.hypercall;

import dev.parvis.abi.hv.HvConstants;
import dev.parvis.abi.hv.HvMapGpaFlags;
import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.HypervisorConfig;
import dev.parvis.hv.backend.unicorn.UnicornBackend;
import dev.parvis.hv.vp.VirtualProcessor;
import dev.parvis.vmcore.RootHypercalls;
import dev.parvis.vmcore.RootPageView;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** A booted hypervisor on the unicorn backend and helpers to build small hand-assembled children. */
final class KernelRig implements AutoCloseable {
    static final long CODE_GPN = 0x100;
    /** What {@link #initializedChild} deposits: enough for the partition and one VP. */
    static final int CHILD_DEPOSIT = HvConstants.DEPOSIT_PAGES_PER_PARTITION + HvConstants.DEPOSIT_PAGES_PER_VP;

    final Hypervisor hv;
    final RootHypercalls hc;

    KernelRig() {
        this(new HypervisorConfig(32L << 20, UnicornBackend::new, Duration.ofMillis(10)));
    }

    /** A rig whose hypervisor runs {@code logicalProcessors} LP threads. */
    KernelRig(int logicalProcessors) {
        this(new HypervisorConfig(64L << 20, UnicornBackend::new, Duration.ofMillis(10), logicalProcessors));
    }

    private KernelRig(HypervisorConfig config) {
        hv = Hypervisor.boot(config);
        hc = new RootHypercalls(hv.gateway());
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
        if (extraPages > 0) {
            hc.mapGpaPages(id, CODE_GPN + 1, HvMapGpaFlags.READABLE | HvMapGpaFlags.WRITABLE, hv.rootMemory().allocate(extraPages));
        }
        hc.createVp(id, 0);
        hc.setVpRegister(id, 0, dev.parvis.abi.hv.HvRegisterName.RIP, CODE_GPN << 12);
        setup.accept(id);
        hc.finalizePartition(id);
        return id;
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
