package dev.parvis.abi.hv.input;

/** The access_result code of HvCallReadGpa/HvCallWriteGpa, reference section 3.2. */
public final class GpaAccessResult {
    public static final int SUCCESS = 0;
    public static final int UNMAPPED = 1;
    public static final int READ_INTERCEPT = 2;
    public static final int WRITE_INTERCEPT = 3;
    public static final int ILLEGAL_OVERLAY = 4;

    private GpaAccessResult() {
    }
}
