package dev.parvis.abi.hv;

/**
 * The 64-bit hypercall input value ("control", RCX on x64), reference section 1.1. Decoding never
 * fails: reserved bits are reported separately by {@link #reservedBitsSet(long)} so the dispatcher
 * can answer HV_STATUS_INVALID_HYPERCALL_INPUT instead of the decoder throwing.
 */
public record HypercallControl(short code, boolean fast, int variableHeaderQwords, boolean nested,
                               int repCount, int repStart) {
    public static final long CODE_MASK = 0xFFFFL;
    public static final long FAST_BIT = 1L << 16;
    public static final int VARHEAD_OFFSET = 17;
    public static final long VARHEAD_MASK = 0x3FFL << VARHEAD_OFFSET;
    public static final long NESTED_BIT = 1L << 31;
    public static final int REP_COUNT_OFFSET = 32;
    public static final long REP_COUNT_MASK = 0xFFFL << REP_COUNT_OFFSET;
    public static final int REP_START_OFFSET = 48;
    public static final long REP_START_MASK = 0xFFFL << REP_START_OFFSET;
    /** Bits 27-30, 44-47 and 60-63. */
    public static final long RESERVED_MASK = (0xFL << 27) | (0xFL << 44) | (0xFL << 60);
    public static final int MAX_REP_COUNT = 0xFFF;
    public static final int MAX_VARIABLE_HEADER_QWORDS = 0x3FF;

    public HypercallControl {
        check("variable header size", variableHeaderQwords, MAX_VARIABLE_HEADER_QWORDS);
        check("rep count", repCount, MAX_REP_COUNT);
        check("rep start", repStart, MAX_REP_COUNT);
    }

    public static HypercallControl decode(long raw) {
        return new HypercallControl(
                (short) (raw & CODE_MASK),
                (raw & FAST_BIT) != 0,
                (int) ((raw & VARHEAD_MASK) >>> VARHEAD_OFFSET),
                (raw & NESTED_BIT) != 0,
                (int) ((raw & REP_COUNT_MASK) >>> REP_COUNT_OFFSET),
                (int) ((raw & REP_START_MASK) >>> REP_START_OFFSET));
    }

    public long encode() {
        return (code & CODE_MASK)
                | (fast ? FAST_BIT : 0)
                | ((long) variableHeaderQwords << VARHEAD_OFFSET)
                | (nested ? NESTED_BIT : 0)
                | ((long) repCount << REP_COUNT_OFFSET)
                | ((long) repStart << REP_START_OFFSET);
    }

    public static boolean reservedBitsSet(long raw) {
        return (raw & RESERVED_MASK) != 0;
    }

    public static HypercallControl simple(HvCallCode code) {
        return new HypercallControl(code.raw(), false, 0, false, 0, 0);
    }

    public static HypercallControl rep(HvCallCode code, int count) {
        return new HypercallControl(code.raw(), false, 0, false, count, 0);
    }

    public HypercallControl withFast() {
        return new HypercallControl(code, true, variableHeaderQwords, nested, repCount, repStart);
    }

    /** The re-issue of a partially completed rep call (reference section 1.2). */
    public HypercallControl withRepStart(int start) {
        return new HypercallControl(code, fast, variableHeaderQwords, nested, repCount, start);
    }

    public HypercallControl withVariableHeaderQwords(int qwords) {
        return new HypercallControl(code, fast, qwords, nested, repCount, repStart);
    }

    public HvCallCode callCode() {
        return new HvCallCode(code);
    }

    public boolean isRep() {
        return repCount != 0;
    }

    private static void check(String what, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(what + " out of range 0.." + max + ": " + value);
        }
    }
}
