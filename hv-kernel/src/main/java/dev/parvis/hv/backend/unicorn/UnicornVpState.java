package dev.parvis.hv.backend.unicorn;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One VP's native state, {@code struct parvis_vp} in src/main/c/unicorn_vp.c, read and written as
 * plain memory: inputs of the next run (RIP, a pending RAX), what the last run recorded (the exit,
 * RIP, the hypercall registers), the kick flags and a contained fault. The layout is defined here
 * once and checked field by field against the compiler's offsets (UnicornVpStateTest).
 */
final class UnicornVpState {
    private UnicornVpState() {}

    /** enum exit_kind. */
    static final int EXIT_NONE = 0, EXIT_INVALID_OPCODE = 2, EXIT_INTERRUPT = 3, EXIT_MEMORY = 4,
            EXIT_PORT_WRITE = 5;
    /** parvis_vp_run's answer for an engine that failed before. */
    static final int POISONED = -1;
    static final int MESSAGE_BYTES = 160;

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ADDRESS.withName("uc"),
            JAVA_LONG.withName("rip"),
            JAVA_LONG.withName("rax"),
            JAVA_INT.withName("set_rax"),
            JAVA_INT.withName("uc_err"),
            JAVA_INT.withName("exit"),
            JAVA_INT.withName("detail"),
            JAVA_LONG.withName("value"),
            JAVA_LONG.withName("event_rip"),
            JAVA_INT.withName("size"),
            JAVA_INT.withName("kicked"),
            JAVA_LONG.withName("rcx"),
            JAVA_LONG.withName("rdx"),
            JAVA_LONG.withName("r8"),
            JAVA_INT.withName("kick_requested"),
            JAVA_INT.withName("kick_lock"),
            JAVA_INT.withName("exact_stop"),
            JAVA_INT.withName("state"),
            ADDRESS.withName("java_cpuid"),
            ADDRESS.withName("java_port_in"),
            ADDRESS.withName("java_port_out"),
            JAVA_LONG.withName("tcg_lo"),
            JAVA_LONG.withName("tcg_hi"),
            JAVA_INT.withName("fault_signal"),
            JAVA_INT.withName("fault_code"),
            JAVA_LONG.withName("fault_pc"),
            JAVA_LONG.withName("fault_address"),
            JAVA_LONG.withName("fault_caller"),
            MemoryLayout.sequenceLayout(MESSAGE_BYTES, ValueLayout.JAVA_BYTE).withName("fault_message"),
            ADDRESS.withName("cpu"),
            JAVA_INT.withName("halted"),
            JAVA_INT.withName("halted_offset"));

    static final long UC = offset("uc"), RIP = offset("rip"), RAX = offset("rax"), SET_RAX = offset("set_rax"),
            UC_ERR = offset("uc_err"), EXIT = offset("exit"), DETAIL = offset("detail"), VALUE = offset("value"),
            EVENT_RIP = offset("event_rip"), SIZE = offset("size"), KICKED = offset("kicked"), RCX = offset("rcx"),
            RDX = offset("rdx"), R8 = offset("r8"), KICK_REQUESTED = offset("kick_requested"),
            EXACT_STOP = offset("exact_stop"), FAULT_SIGNAL = offset("fault_signal"), FAULT_PC = offset("fault_pc"),
            FAULT_ADDRESS = offset("fault_address"), FAULT_CALLER = offset("fault_caller"),
            FAULT_MESSAGE = offset("fault_message"), HALTED = offset("halted"), TCG_LO = offset("tcg_lo"),
            TCG_HI = offset("tcg_hi");

    static long offset(String field) {
        return LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    /** The struct of a VP returned by parvis_vp_open, sized to the layout. */
    static MemorySegment of(MemorySegment pointer) {
        return pointer.reinterpret(LAYOUT.byteSize());
    }

    static int getInt(MemorySegment s, long offset) {
        return s.get(JAVA_INT, offset);
    }

    static long getLong(MemorySegment s, long offset) {
        return s.get(JAVA_LONG, offset);
    }
}
