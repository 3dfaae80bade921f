package dev.parvis.vmcore;

import dev.parvis.abi.hv.HypercallControl;
import dev.parvis.abi.hv.HypercallResult;
import java.lang.foreign.MemorySegment;

/**
 * The root partition's hypercall instruction. Inputs and outputs are the same binary layouts a guest
 * would place in its input and output pages, so the privilege checks and the ABI are exercised on
 * every root path. Callable from any root thread.
 */
public interface HypercallGateway {

    /**
     * A memory-based call.
     *
     * @param input  the input page contents (at most 4096 bytes; read-only to the hypervisor)
     * @param output receives the output (at most 4096 bytes)
     */
    HypercallResult call(HypercallControl control, MemorySegment input, MemorySegment output);

    /** A register-based (fast) call: the 16 input bytes are {@code rdx} then {@code r8}. */
    HypercallResult callFast(HypercallControl control, long rdx, long r8);
}
