package dev.parvis.abi.hv;

/** The 64-bit hypercall result value returned in RAX, reference section 1.2. */
public record HypercallResult(HvStatus status, int repsCompleted) {
    public static final long RESULT_MASK = 0xFFFFL;
    public static final int REP_COMP_OFFSET = 32;
    public static final long REP_COMP_MASK = 0xFFFL << REP_COMP_OFFSET;

    public HypercallResult {
        if (repsCompleted < 0 || repsCompleted > HypercallControl.MAX_REP_COUNT) {
            throw new IllegalArgumentException("reps completed out of range: " + repsCompleted);
        }
    }

    public static HypercallResult of(HvStatus status) {
        return new HypercallResult(status, 0);
    }

    public static HypercallResult of(HvStatus status, int repsCompleted) {
        return new HypercallResult(status, repsCompleted);
    }

    /** Reserved bits of a hostile or buggy value are dropped, never rejected. */
    public static HypercallResult decode(long raw) {
        return new HypercallResult(HvStatus.of((int) (raw & RESULT_MASK)),
                (int) ((raw & REP_COMP_MASK) >>> REP_COMP_OFFSET));
    }

    public long encode() {
        return (status.raw() & RESULT_MASK) | ((long) repsCompleted << REP_COMP_OFFSET);
    }

    public boolean isSuccess() {
        return status.isSuccess();
    }
}
