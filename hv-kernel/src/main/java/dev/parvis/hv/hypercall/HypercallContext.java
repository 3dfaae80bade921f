package dev.parvis.hv.hypercall;

import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.HypercallControl;
import dev.parvis.abi.hv.HypercallResult;
import dev.parvis.abi.hv.HypercallSpec;
import dev.parvis.hv.partition.Partition;
import dev.parvis.hv.vp.VirtualProcessor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One hypercall in flight.
 *
 * @param caller the calling partition
 * @param vp     the calling VP, or null for the root (which has none)
 * @param input  the kernel's copy of the input: fixed header, variable header, then rep elements
 * @param output the kernel's output buffer, copied to the caller afterwards
 */
public record HypercallContext(Partition caller, VirtualProcessor vp, HypercallControl control, HypercallSpec spec,
                               MemorySegment input, MemorySegment output) {
    /** Rep elements one pass may process; the rest continue transparently (reference 1.2). */
    public static final int MAX_REPS_PER_PASS = 128;

    public int repStart() {
        return control.repStart();
    }

    public int repCount() {
        return control.repCount();
    }

    /** The last element index (exclusive) this pass may process. */
    public int passEnd() {
        return Math.min(control.repCount(), control.repStart() + MAX_REPS_PER_PASS);
    }

    public MemorySegment inputElement(int index) {
        long offset = spec.inputHeaderSize() + control.variableHeaderQwords() * 8L + (long) index * spec.inputElementSize();
        return input.asSlice(offset, spec.inputElementSize());
    }

    public long inputElementLong(int index) {
        return inputElement(index).get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
    }

    public MemorySegment outputElement(int index) {
        long offset = spec.outputHeaderSize() + (long) index * spec.outputElementSize();
        return output.asSlice(offset, spec.outputElementSize());
    }

    public HypercallResult ok() {
        return HypercallResult.of(HvStatus.SUCCESS);
    }

    /** A rep pass that ended at element {@code completed} with {@code status}. */
    public HypercallResult reps(HvStatus status, int completed) {
        return new HypercallResult(status, completed);
    }

    public static HypercallResult fail(HvStatus status) {
        return HypercallResult.of(status);
    }
}
