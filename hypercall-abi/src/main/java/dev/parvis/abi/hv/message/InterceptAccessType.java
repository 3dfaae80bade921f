package dev.parvis.abi.hv.message;

/** The intercept_access_type byte of the intercept header, reference section 5.2. */
public final class InterceptAccessType {
    public static final int READ = 0;
    public static final int WRITE = 1;
    public static final int EXECUTE = 2;

    private InterceptAccessType() {
    }
}
