package dev.parvis.hv;

import dev.parvis.abi.hv.HypercallControl;
import dev.parvis.abi.hv.HypercallResult;
import dev.parvis.hv.hypercall.HypercallDispatcher;
import dev.parvis.hv.partition.Partition;
import dev.parvis.vmcore.HypercallGateway;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** The root partition's hypercall instruction: the same dispatcher, with the root as caller. */
final class RootGateway implements HypercallGateway {
    private final HypercallDispatcher dispatcher;
    private final Partition root;
    /** Kernel copies of input and output per root thread, as each guest VP has its own. */
    private final ThreadLocal<MemorySegment[]> scratch = ThreadLocal.withInitial(() -> new MemorySegment[] {
        Arena.ofAuto().allocate(4096, 8), Arena.ofAuto().allocate(4096, 8)});

    RootGateway(HypercallDispatcher dispatcher, Partition root) {
        this.dispatcher = dispatcher;
        this.root = root;
    }

    @Override
    public HypercallResult call(HypercallControl control, MemorySegment input, MemorySegment output) {
        MemorySegment[] s = scratch.get();
        return dispatcher.dispatchRoot(root, control.encode(), input, output, s[0], s[1]);
    }

    @Override
    public HypercallResult callFast(HypercallControl control, long rdx, long r8) {
        MemorySegment[] s = scratch.get();
        return dispatcher.dispatchRootFast(root, control.encode(), rdx, r8, s[0], s[1]);
    }

    /** For tests and fuzzers: a raw control value, reserved bits and all. */
    HypercallResult callRaw(long rawControl, MemorySegment input, MemorySegment output) {
        MemorySegment[] s = scratch.get();
        return dispatcher.dispatchRoot(root, rawControl, input, output, s[0], s[1]);
    }
}
