package dev.parvis.hv.backend.unicorn;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** The text of a contained emulator failure, from what the shim's guard recorded in the VP's struct. */
final class UnicornFailureReason {
    private UnicornFailureReason() {}

    /**
     * For example "the CPU emulator aborted (SIGABRT in libunicorn.so.2+0x4a1f3c, QEMU's 'tcg fatal
     * error' or an assertion; its message is on the host's stderr) running guest code entered at RIP
     * 0x100000". glibc's own abort message (an assertion) is quoted when there is one.
     */
    static String describe(int signal, MemorySegment state) {
        long entryRip = state.get(JAVA_LONG, UnicornVpState.RIP);
        long caller = state.get(JAVA_LONG, UnicornVpState.FAULT_CALLER);
        long pc = state.get(JAVA_LONG, UnicornVpState.FAULT_PC);
        String message = state.asSlice(UnicornVpState.FAULT_MESSAGE, UnicornVpState.MESSAGE_BYTES).getString(0).strip();
        String where = UnicornShim.describe(caller != 0 ? caller : pc);
        String what = switch (signal) {
            case 6 -> "aborted (SIGABRT in " + where + (message.isEmpty()
                    ? ", QEMU's 'tcg fatal error' or an assertion; its message is on the host's stderr)"
                    : ": " + message + ")");
            case 11 -> "crashed (SIGSEGV at " + where + ", address 0x" + Long.toHexString(state.get(JAVA_LONG, UnicornVpState.FAULT_ADDRESS)) + ")";
            case 7 -> "crashed (SIGBUS at " + where + ")";
            case 8 -> "crashed (SIGFPE at " + where + ")";
            case 4 -> "crashed (SIGILL at " + where + ")";
            default -> "failed (signal " + signal + " at " + where + ")";
        };
        return "the CPU emulator " + what + " running guest code entered at RIP 0x" + Long.toHexString(entryRip);
    }
}
