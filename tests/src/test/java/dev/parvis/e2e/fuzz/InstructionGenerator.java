package dev.parvis.e2e.fuzz;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.random.RandomGenerator;

/**
 * Random x86-64 instruction bytes, biased toward the encodings where an emulator's decoder and code
 * generator have corner cases: legacy prefixes (LOCK F0, operand/address size 66/67, REP F2/F3,
 * segment overrides), REX, the 0F / 0F 38 / 0F 3A escapes, and register-form ModRM bytes (mod = 11,
 * where LOCK is undefined). Relative branches are left out of the first opcode: a backward branch
 * loops forever and only costs the harness a watchdog period. The LOCK + register-form bit tests
 * (the known emulator killers) come first, as seeds.
 */
final class InstructionGenerator {
    /** Bytes of one generated sequence. */
    static final int LENGTH = 16;

    /** LOCK on register-form BT/BTS/BTR/BTC (0F A3/AB/B3/BB /r, 0F BA /4../7 ib): #UD on hardware. */
    static final List<byte[]> SEEDS = List.of(
            bytes(0xF0, 0x0F, 0xAB, 0xC8), bytes(0xF0, 0x0F, 0xA3, 0xC8), bytes(0xF0, 0x0F, 0xB3, 0xC8),
            bytes(0xF0, 0x0F, 0xBB, 0xC8), bytes(0xF0, 0x48, 0x0F, 0xAB, 0xC8), bytes(0xF0, 0x66, 0x0F, 0xAB, 0xC8),
            bytes(0xF0, 0x0F, 0xBA, 0xE0, 0x03), bytes(0xF0, 0x0F, 0xBA, 0xE8, 0x03), bytes(0xF0, 0x0F, 0xBA, 0xF0, 0x03),
            bytes(0xF0, 0x0F, 0xBA, 0xF8, 0x03));

    private static final int[] PREFIXES = {0xF0, 0x66, 0x67, 0xF2, 0xF3, 0x2E, 0x3E, 0x26, 0x64, 0x65, 0x36};

    private final RandomGenerator random;

    InstructionGenerator(long seed) {
        this.random = new Random(seed);
    }

    /** Sequence {@code index}: a seed for the first few, then random biased bytes. */
    byte[] next(long index) {
        byte[] out = new byte[LENGTH];
        Arrays.fill(out, (byte) 0x90);
        if (index < SEEDS.size()) {
            byte[] seed = SEEDS.get((int) index);
            System.arraycopy(seed, 0, out, 0, seed.length);
            return out;
        }
        int n = 0;
        int prefixes = random.nextInt(100) < 60 ? 1 + random.nextInt(3) : 0;
        for (int i = 0; i < prefixes; i++) {
            out[n++] = (byte) PREFIXES[random.nextInt(PREFIXES.length)]; // LOCK is one in eleven
        }
        if (random.nextInt(100) < 40) {
            out[n++] = (byte) (0x40 + random.nextInt(16)); // REX
        }
        n = opcode(out, n);
        out[n++] = (byte) (random.nextInt(100) < 60 ? 0xC0 | random.nextInt(64) : random.nextInt(256)); // ModRM
        while (n < LENGTH) {
            out[n++] = (byte) random.nextInt(256);
        }
        return out;
    }

    private int opcode(byte[] out, int n) {
        int kind = random.nextInt(100);
        if (kind < 45) {
            out[n++] = 0x0F;
            int second;
            do {
                second = random.nextInt(256);
            } while (second >= 0x80 && second <= 0x8F); // jcc rel32
            out[n++] = (byte) second;
            if (second == 0x38 || second == 0x3A) {
                out[n++] = (byte) random.nextInt(256);
            }
            return n;
        }
        int op;
        do {
            op = random.nextInt(256);
        } while (isBranchOrPrefix(op));
        out[n++] = (byte) op;
        return n;
    }

    /** Relative branches (loop back forever), hlt (sleeps), and bytes that are prefixes, not opcodes. */
    private static boolean isBranchOrPrefix(int op) {
        return (op >= 0x70 && op <= 0x7F) || (op >= 0xE0 && op <= 0xE3) || op == 0xE8 || op == 0xE9 || op == 0xEB
                || op == 0xF4 || op == 0x0F || (op >= 0x40 && op <= 0x4F);
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }
}
