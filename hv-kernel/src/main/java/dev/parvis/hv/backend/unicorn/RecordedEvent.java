package dev.parvis.hv.backend.unicorn;

import dev.parvis.hv.backend.MemoryAccess;

/**
 * What a hook saw during one uc_emu_start, kept for the exit decoder. Only the first event of a run
 * is kept: later ones are consequences (a fault that escalates to #DF) or noise after a stop.
 */
sealed interface RecordedEvent {

    /** Nothing was recorded. */
    record None() implements RecordedEvent {}

    /** UC_HOOK_MEM_UNMAPPED or UC_HOOK_MEM_PROT fired. */
    record MemoryFault(long gpa, MemoryAccess access, boolean mapped) implements RecordedEvent {}

    /** UC_HOOK_INSN_INVALID fired: a hypercall candidate or an undefined opcode. */
    record InvalidInstruction() implements RecordedEvent {}

    /** UC_HOOK_INTR fired with this vector (CPU exception or software interrupt). */
    record Interrupt(int vector, long rip) implements RecordedEvent {}

    /** An OUT that {@code VpIntercepts.portOut} declined. */
    record PortWrite(int port, int size, long value) implements RecordedEvent {}

    None NONE = new None();
    InvalidInstruction INVALID_INSTRUCTION = new InvalidInstruction();
}
