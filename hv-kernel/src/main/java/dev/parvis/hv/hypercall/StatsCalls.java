package dev.parvis.hv.hypercall;

import dev.parvis.abi.hv.HvCallCode;
import dev.parvis.abi.hv.HvPartitionPrivilege;
import dev.parvis.abi.hv.HvStats;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.HypercallResult;
import dev.parvis.abi.hv.input.StatsPageInput;
import dev.parvis.abi.hv.input.StatsPageLocation;
import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.memory.PageStateException;
import dev.parvis.hv.partition.Partition;
import dev.parvis.hv.partition.StatsPage;
import dev.parvis.vmcore.InsufficientMemoryException;

/**
 * HvCallMapStatsPage (0x006C) and HvCallUnmapStatsPage (0x006D), as Hyper-V's root uses them
 * (Linux drivers/hv/mshv_root_main.c maps a child's partition stats page with
 * HV_STATS_OBJECT_PARTITION and its partition id, then reads the counters from the returned PFN).
 * Root only: a caller without CreatePartitions gets HV_STATUS_ACCESS_DENIED from the dispatcher.
 * Parvis publishes one object, a child partition's SELF area; another object type, area, a set
 * reserved byte or padding is HV_STATUS_INVALID_PARAMETER, a partition that is not a live child
 * HV_STATUS_INVALID_PARTITION_ID. One page per child: a second map while one is mapped, or an
 * unmap when none is, is HV_STATUS_INVALID_PARAMETER. Hyper-V takes the page from memory deposited
 * for the root and answers HV_STATUS_INSUFFICIENT_MEMORY until there is some; Parvis takes it from
 * the root's own free pages (the root's allocator), with the same status when there are none.
 */
public final class StatsCalls {
    private final Hypervisor hv;

    public StatsCalls(Hypervisor hv) {
        this.hv = hv;
    }

    public void register(HypercallDispatcher d) {
        d.register(HvCallCode.MAP_STATS_PAGE, HvPartitionPrivilege.CREATE_PARTITIONS, this::map);
        d.register(HvCallCode.UNMAP_STATS_PAGE, HvPartitionPrivilege.CREATE_PARTITIONS, this::unmap);
    }

    private HypercallResult map(HypercallContext ctx) {
        return onTarget(ctx, p -> {
            synchronized (p) {
                if (p.statsPage() != null) {
                    return HypercallContext.fail(HvStatus.INVALID_PARAMETER);
                }
                long spn;
                try {
                    spn = hv.pool().allocateRoot(1)[0];
                } catch (InsufficientMemoryException e) {
                    return HypercallContext.fail(HvStatus.INSUFFICIENT_MEMORY);
                }
                StatsPage page = new StatsPage(spn, hv.pool().pages(spn, 1), hv.pool());
                page.refresh(p);
                p.setStatsPage(page);
                new StatsPageLocation(spn).write(ctx.output());
            }
            return ctx.ok();
        });
    }

    private HypercallResult unmap(HypercallContext ctx) {
        return onTarget(ctx, p -> release(hv, p) ? ctx.ok() : HypercallContext.fail(HvStatus.INVALID_PARAMETER));
    }

    /** Runs {@code action} on the live child the input names, once the input is one Parvis publishes. */
    private HypercallResult onTarget(HypercallContext ctx, java.util.function.Function<Partition, HypercallResult> action) {
        StatsPageInput in = StatsPageInput.read(ctx.input());
        if (!publishable(ctx, in)) {
            return HypercallContext.fail(HvStatus.INVALID_PARAMETER);
        }
        Partition p = hv.partitions().liveChild(in.partitionId());
        return p == null ? HypercallContext.fail(HvStatus.INVALID_PARTITION_ID) : action.apply(p);
    }

    /** A child partition's SELF area with the padding and reserved bytes clear: the one object Parvis publishes. */
    private static boolean publishable(HypercallContext ctx, StatsPageInput in) {
        return !StatsPageInput.paddingSet(ctx.input()) && in.objectType() == HvStats.OBJECT_PARTITION
                && in.areaType() == HvStats.AREA_SELF && in.partitionIdentityReserved() == 0;
    }

    /** Takes the partition's stats page back (unmap, or the partition's deletion); false if it had none. */
    public static boolean release(Hypervisor hv, Partition p) {
        StatsPage page;
        synchronized (p) {
            page = p.statsPage();
            p.setStatsPage(null);
        }
        if (page == null) {
            return false;
        }
        page.close(); // an LP thread that fetched the page before it was unhooked writes nothing more into it
        try {
            hv.pool().freeRoot(new long[] {page.spn()});
        } catch (PageStateException e) {
            // The root freed or gave away the page itself; it is not the kernel's to take back then.
        }
        return true;
    }
}
