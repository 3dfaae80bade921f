package dev.parvis.abi.hv;

/**
 * The hypervisor's statistics pages (HvCallMapStatsPage): the object types, stats areas and counter
 * indices Parvis publishes. A stats page is 512 u64 counters indexed by these numbers (Linux's
 * {@code struct hv_stats_page}, include/hyperv/hvhdk.h: a union of {@code u64 pt_cntrs[]},
 * {@code vp_cntrs[]}, ... and {@code u8 data[HV_HYP_PAGE_SIZE]}).
 *
 * <p>Object types and areas from hvgdk_mini.h ({@code enum hv_stats_object_type},
 * {@code enum hv_stats_area_type}); partition counter indices from hvhdk.h
 * ({@code enum hv_stats_partition_counters}, x86-64). Hyper-V keeps run time and hypercall counts per
 * VP ({@code VpTotalRunTime} 1, {@code VpHypercallsCount} 7 of {@code enum hv_stats_vp_counters});
 * Parvis accounts them per partition, so its partition page carries those totals in indices of its
 * own from {@link #PARVIS_FIRST} on, above every published partition counter
 * ({@code PartitionStatsMaxCounter} is 34 on x86-64) and inside the 512 of the page.
 */
public final class HvStats {
    public static final int OBJECT_HYPERVISOR = 0x00000001;
    public static final int OBJECT_LOGICAL_PROCESSOR = 0x00000002;
    public static final int OBJECT_PARTITION = 0x00010001;
    public static final int OBJECT_VP = 0x00010002;

    public static final int AREA_SELF = 0;
    public static final int AREA_PARENT = 1;
    public static final int AREA_INTERNAL = 2;

    /** {@code PartitionVirtualProcessors}. */
    public static final int PARTITION_VIRTUAL_PROCESSORS = 1;
    /** {@code PartitionDepositedPages}. */
    public static final int PARTITION_DEPOSITED_PAGES = 5;
    /** {@code PartitionGpaPages}: pages mapped in the partition's GPA space. */
    public static final int PARTITION_GPA_PAGES = 6;
    /** {@code PartitionPartitionId}. */
    public static final int PARTITION_PARTITION_ID = 26;

    /** First index of Parvis's own partition-wide counters. */
    public static final int PARVIS_FIRST = 256;
    /** CPU time its VPs ran (guest code and their exits), nanoseconds of the LP threads' CPU clock. */
    public static final int PARVIS_CPU_NANOS = PARVIS_FIRST;
    /** Hypercalls its VPs issued. */
    public static final int PARVIS_HYPERCALLS = PARVIS_FIRST + 1;
    /** Times its VPs left guest execution. */
    public static final int PARVIS_EXITS = PARVIS_FIRST + 2;
    /** Intercept messages sent to the root about it. */
    public static final int PARVIS_INTERCEPTS = PARVIS_FIRST + 3;

    /** Counters on a 4 KiB page. */
    public static final int COUNTERS_PER_PAGE = 512;

    private HvStats() {
    }
}
