package dev.parvis.abi.hv;

import java.util.Objects;

/**
 * The shape of one hypercall as the dispatcher validates it (reference section 1.1): how it may be
 * issued, who may issue it and the sizes of its input and output in bytes. For rep calls the
 * header sizes are the fixed part and the element sizes are per rep.
 *
 * @param fastAllowed the input (at most 16 bytes) may arrive in RDX:R8 instead of memory
 * @param slowAllowed the input may arrive through an input page GPA
 * @param rootOnly    only a partition holding the root privileges may issue it
 */
public record HypercallSpec(HvCallCode code, String name, Kind kind, boolean fastAllowed, boolean slowAllowed,
                            boolean rootOnly, int inputHeaderSize, int inputElementSize, int outputHeaderSize,
                            int outputElementSize, boolean variableHeaderAllowed) {

    /** Simple calls take no rep count; rep calls take one of at least 1. */
    public enum Kind { SIMPLE, REP }

    /** Fast input lives in the register pair RDX:R8 (reference section 1.3). */
    public static final int MAX_FAST_INPUT = 16;

    public HypercallSpec {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        if (fastAllowed && (kind == Kind.REP || inputHeaderSize > MAX_FAST_INPUT)) {
            throw new IllegalArgumentException(name + ": fast input must be a simple call of at most 16 bytes");
        }
        if (!fastAllowed && !slowAllowed) {
            throw new IllegalArgumentException(name + ": neither fast nor slow");
        }
    }

    public boolean isRep() {
        return kind == Kind.REP;
    }

    /** Bytes the hypervisor reads: header, variable header, then one element per rep. */
    public long inputSize(int variableHeaderQwords, int repCount) {
        return inputHeaderSize + 8L * variableHeaderQwords + (long) inputElementSize * repCount;
    }

    /** Bytes the hypervisor may write for {@code repCount} elements. */
    public long outputSize(int repCount) {
        return outputHeaderSize + (long) outputElementSize * repCount;
    }
}
