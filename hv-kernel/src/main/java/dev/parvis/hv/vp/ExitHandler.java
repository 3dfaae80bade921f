package dev.parvis.hv.vp;

import dev.parvis.hv.backend.VpExit;

/** What the kernel does with each backend exit; exhaustive over {@link VpExit}. */
public final class ExitHandler {
    private final GuestHypercalls hypercalls;
    private final InterceptReporter intercepts;

    /** The guest-side entry into hypercall dispatch. */
    @FunctionalInterface
    public interface GuestHypercalls {
        void dispatch(VirtualProcessor vp, int instructionLength);
    }

    public ExitHandler(GuestHypercalls hypercalls, InterceptReporter intercepts) {
        this.hypercalls = hypercalls;
        this.intercepts = intercepts;
    }

    /** The hypervisor failed the partition (see {@link PartitionRunner#fail}): the root learns it as an intercept. */
    void partitionFailed(dev.parvis.hv.partition.Partition partition, String reason) {
        intercepts.partitionFailed(partition, reason);
    }

    void handle(VirtualProcessor vp, VpExit exit) {
        switch (exit) {
            case VpExit.Hypercall h -> {
                vp.countHypercall();
                hypercalls.dispatch(vp, h.instructionLength());
            }
            case VpExit.Halt h -> vp.partition().runner().activity.halt(vp);
            case VpExit.IoPortWrite io -> intercepts.ioPortWrite(vp, io);
            case VpExit.MemoryViolation mv -> intercepts.memoryViolation(vp, mv);
            case VpExit.InvalidOpcode op -> intercepts.unrecoverable(vp, 6, "invalid opcode at 0x%x".formatted(op.rip()));
            case VpExit.Exception ex -> intercepts.unrecoverable(vp, ex.vector(), ex.detail());
            case VpExit.Cancelled c -> { }
            case VpExit.EngineFailure f -> vp.partition().runner().fail(f.reason());
        }
    }
}
