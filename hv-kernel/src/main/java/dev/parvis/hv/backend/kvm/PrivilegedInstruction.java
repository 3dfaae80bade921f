package dev.parvis.hv.backend.kvm;

/**
 * The privileged instructions a deprivileged guest may execute that the backend carries out for it
 * when they fault with #GP: HLT, IN, OUT, CLI, STI, RDMSR and WRMSR. Decoding is a pure function of
 * the instruction bytes. Port numbers come from an immediate or, when {@code port} is
 * {@link #PORT_IN_DX}, from DX.
 */
sealed interface PrivilegedInstruction {
    int PORT_IN_DX = -1;
    int MAX_LENGTH = 15;

    /** Bytes of the instruction, prefixes included. */
    int length();

    record Halt() implements PrivilegedInstruction {
        public int length() {
            return 1;
        }
    }

    record PortOut(int port, int size, int length) implements PrivilegedInstruction {}

    record PortIn(int port, int size, int length) implements PrivilegedInstruction {}

    /** CLI ({@code set == false}) or STI. */
    record InterruptFlag(boolean set) implements PrivilegedInstruction {
        public int length() {
            return 1;
        }
    }

    record ReadMsr() implements PrivilegedInstruction {
        public int length() {
            return 2;
        }
    }

    record WriteMsr() implements PrivilegedInstruction {
        public int length() {
            return 2;
        }
    }

    /** The instruction at the start of {@code code}, or null if it is none of these. */
    static PrivilegedInstruction decode(byte[] code, int available) {
        int at = 0;
        boolean operand16 = false;
        while (at < available && at < MAX_LENGTH) {
            int b = code[at] & 0xFF;
            if (b == 0x66) {
                operand16 = true;
            } else if ((b & 0xF0) != 0x40) {
                break; // not a REX prefix either
            }
            at++;
        }
        if (at >= available) {
            return null;
        }
        int op = code[at] & 0xFF;
        int wide = operand16 ? 2 : 4;
        boolean hasImmediate = at + 1 < available;
        int immediate = hasImmediate ? code[at + 1] & 0xFF : 0;
        return switch (op) {
            case 0xF4 -> at == 0 ? new Halt() : null;
            case 0xFA -> at == 0 ? new InterruptFlag(false) : null;
            case 0xFB -> at == 0 ? new InterruptFlag(true) : null;
            case 0xE6 -> hasImmediate ? new PortOut(immediate, 1, at + 2) : null;
            case 0xE7 -> hasImmediate ? new PortOut(immediate, wide, at + 2) : null;
            case 0xEE -> new PortOut(PORT_IN_DX, 1, at + 1);
            case 0xEF -> new PortOut(PORT_IN_DX, wide, at + 1);
            case 0xE4 -> hasImmediate ? new PortIn(immediate, 1, at + 2) : null;
            case 0xE5 -> hasImmediate ? new PortIn(immediate, wide, at + 2) : null;
            case 0xEC -> new PortIn(PORT_IN_DX, 1, at + 1);
            case 0xED -> new PortIn(PORT_IN_DX, wide, at + 1);
            case 0x0F -> at == 0 && hasImmediate ? msr(immediate) : null;
            default -> null;
        };
    }

    private static PrivilegedInstruction msr(int second) {
        return switch (second) {
            case 0x32 -> new ReadMsr();
            case 0x30 -> new WriteMsr();
            default -> null;
        };
    }
}
