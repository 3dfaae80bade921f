package dev.parvis.hv.backend;

/** Why {@link VpEngine#run()} returned. RIP semantics are stated per exit. */
public sealed interface VpExit {

    /** The guest executed VMCALL/VMMCALL. RIP points at the instruction; the kernel advances it. */
    record Hypercall(int instructionLength) implements VpExit {}

    /** The guest executed HLT. RIP points after it. */
    record Halt() implements VpExit {}

    /**
     * The guest wrote an I/O port that {@link VpIntercepts#portOut} declined to handle inline. With the
     * unicorn backend RIP is imprecise (end of the translation block), so this is only fit for
     * ports whose write ends or pauses the guest (power-off).
     */
    record IoPortWrite(int port, int size, long value) implements VpExit {}

    /**
     * The guest touched a GPA that is not mapped ({@code mapped == false}) or is mapped without the
     * needed right. RIP points at the faulting instruction, so resuming retries it.
     */
    record MemoryViolation(long gpa, MemoryAccess access, boolean mapped) implements VpExit {}

    /** An undefined instruction other than a hypercall. RIP points at it. */
    record InvalidOpcode(long rip) implements VpExit {}

    /** A CPU exception the guest cannot handle (the backend cannot deliver it through the IDT). */
    record Exception(int vector, String detail) implements VpExit {}

    /** {@link VpEngine#kick()} stopped the run, or the run stopped for no guest-visible reason. */
    record Cancelled() implements VpExit {}

    /**
     * The execution engine itself failed while running this VP (e.g. the CPU emulator aborted on a
     * guest instruction) and was contained. The engine is unusable from now on: every later run
     * returns this exit again, and register access throws. The kernel fails the whole partition.
     */
    record EngineFailure(String reason) implements VpExit {}
}
