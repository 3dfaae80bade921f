package dev.parvis.abi.hv.input;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.pad;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * HvCallCreatePartition input, 56 bytes (reference section 3.2); the output is a
 * {@link PartitionIdValue}.
 */
public record CreatePartitionInput(long flags, long proximityDomainInfo, int compatibilityVersion, long disabledProcessorFeatures0, long disabledProcessorFeatures1, long disabledXsaveFeatures, long isolationProperties) {
    public static final int SIZE = 56;

    public static final long FLAG_EXO_PARTITION = 1L << 8;
    public static final long FLAG_LAPIC_ENABLED = 1L << 13;
    public static final long FLAG_INTERCEPT_MESSAGE_PAGE_ENABLED = 1L << 19;
    public static final long FLAG_X2APIC_CAPABLE = 1L << 22;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("flags"),
            U64.withName("proximity_domain_info"),
            U32.withName("compatibility_version"),
            pad(4),
            U64.withName("disabled_processor_features0"),
            U64.withName("disabled_processor_features1"),
            U64.withName("disabled_xsave_features"),
            U64.withName("isolation_properties"));

    private static final long FLAGS = offset(LAYOUT, "flags");
    private static final long PROXIMITY_DOMAIN_INFO = offset(LAYOUT, "proximity_domain_info");
    private static final long COMPATIBILITY_VERSION = offset(LAYOUT, "compatibility_version");
    private static final long DISABLED_PROCESSOR_FEATURES0 = offset(LAYOUT, "disabled_processor_features0");
    private static final long DISABLED_PROCESSOR_FEATURES1 = offset(LAYOUT, "disabled_processor_features1");
    private static final long DISABLED_XSAVE_FEATURES = offset(LAYOUT, "disabled_xsave_features");
    private static final long ISOLATION_PROPERTIES = offset(LAYOUT, "isolation_properties");

    public static CreatePartitionInput read(MemorySegment s) {
        long flags = u64(s, FLAGS);
        long proximityDomainInfo = u64(s, PROXIMITY_DOMAIN_INFO);
        int compatibilityVersion = u32(s, COMPATIBILITY_VERSION);
        long disabledProcessorFeatures0 = u64(s, DISABLED_PROCESSOR_FEATURES0);
        long disabledProcessorFeatures1 = u64(s, DISABLED_PROCESSOR_FEATURES1);
        long disabledXsaveFeatures = u64(s, DISABLED_XSAVE_FEATURES);
        long isolationProperties = u64(s, ISOLATION_PROPERTIES);
        return new CreatePartitionInput(flags, proximityDomainInfo, compatibilityVersion, disabledProcessorFeatures0, disabledProcessorFeatures1, disabledXsaveFeatures, isolationProperties);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u64(s, FLAGS, flags);
        u64(s, PROXIMITY_DOMAIN_INFO, proximityDomainInfo);
        u32(s, COMPATIBILITY_VERSION, compatibilityVersion);
        u64(s, DISABLED_PROCESSOR_FEATURES0, disabledProcessorFeatures0);
        u64(s, DISABLED_PROCESSOR_FEATURES1, disabledProcessorFeatures1);
        u64(s, DISABLED_XSAVE_FEATURES, disabledXsaveFeatures);
        u64(s, ISOLATION_PROPERTIES, isolationProperties);
    }

    /** A plain partition: no flags, no NUMA preference, nothing disabled. */
    public static CreatePartitionInput defaults() {
        return new CreatePartitionInput(0, 0, 0, 0, 0, 0, 0);
    }
}
