package dev.parvis.abi.hv;

/** SynIC register bits and page geometry, reference sections 4.2-4.4 and 5.4. */
public final class HvSynic {
    public static final int SINT_COUNT = 16;
    public static final long SINT_VECTOR_MASK = 0xFF;
    public static final long SINT_MASKED = 1L << 16;
    public static final long SINT_AUTO_EOI = 1L << 17;
    public static final long SINT_POLLING = 1L << 18;
    public static final long SINT_AS_INTERCEPT = 1L << 19;
    public static final long SINT_PROXY = 1L << 20;
    /** Vectors 0-15 are reserved for exceptions and may not be programmed into a SINT. */
    public static final int FIRST_VALID_VECTOR = 16;

    public static final long SCONTROL_ENABLE = 1;
    public static final long SIMP_ENABLE = 1;
    public static final long SIEFP_ENABLE = 1;
    public static final long SIRBP_ENABLE = 1;
    /** SIMP/SIEFP/SIRBP: bits 12-63 hold the page's GPN. */
    public static final int PAGE_GPN_SHIFT = 12;
    public static final long SVERSION = 1;

    /** Flags per SINT in the SIEFP page: 256 bytes of bits. */
    public static final int EVENT_FLAGS_COUNT = 2048;
    public static final int EVENT_FLAGS_BYTES_PER_SINT = 256;
    /** Bytes per SINT slot in the SIMP page, one HV_MESSAGE. */
    public static final int MESSAGE_SLOT_SIZE = 256;
    public static final int STIMER_COUNT = 4;

    public static final long STIMER_CONFIG_ENABLE = 1L << 0;
    public static final long STIMER_CONFIG_PERIODIC = 1L << 1;
    public static final long STIMER_CONFIG_LAZY = 1L << 2;
    public static final long STIMER_CONFIG_AUTO_ENABLE = 1L << 3;
    public static final long STIMER_CONFIG_DIRECT_MODE = 1L << 12;
    public static final int STIMER_CONFIG_SINT_SHIFT = 16;

    private HvSynic() {
    }
}
