package dev.parvis.root.vm;

import dev.parvis.abi.hv.HvPartitionProperty;
import dev.parvis.root.config.CpuControls;
import dev.parvis.vmcore.RootHypercalls;

/**
 * The partition properties VM management sets (HvPartitionProperty): SUSPEND (1 = no VP runs,
 * returns when none is running; 0 = resume), CPU reserve and cap in thousandths of a percent of one
 * LP, CPU weight 1..10000, TIME_FREEZE and REFERENCE_TIME (settable only while frozen).
 */
final class PartitionControls {
    private static final int SUSPEND = HvPartitionProperty.SUSPEND;
    private static final int CPU_RESERVE = HvPartitionProperty.CPU_RESERVE;
    private static final int CPU_CAP = HvPartitionProperty.CPU_CAP;
    private static final int CPU_WEIGHT = HvPartitionProperty.CPU_WEIGHT;
    private static final int TIME_FREEZE = HvPartitionProperty.TIME_FREEZE;
    private static final int REFERENCE_TIME = HvPartitionProperty.REFERENCE_TIME;

    private final RootHypercalls hc;

    PartitionControls(RootHypercalls hc) {
        this.hc = hc;
    }

    void suspend(long partitionId) {
        hc.setPartitionProperty(partitionId, SUSPEND, 1);
    }

    void resume(long partitionId) {
        hc.setPartitionProperty(partitionId, SUSPEND, 0);
    }

    /** Weight, reserve and limit as Set-VMProcessor takes them (percent of one LP). */
    void applyCpu(long partitionId, CpuControls cpu) {
        hc.setPartitionProperty(partitionId, CPU_WEIGHT, Math.clamp(cpu.weight(), 1, 10_000));
        hc.setPartitionProperty(partitionId, CPU_RESERVE, Math.clamp(cpu.reservePercent(), 0, 100) * 1000L);
        hc.setPartitionProperty(partitionId, CPU_CAP, Math.clamp(cpu.limitPercent(), 0, 100) * 1000L);
    }

    /** Freezes the reference time and returns it. */
    long freezeTime(long partitionId) {
        hc.setPartitionProperty(partitionId, TIME_FREEZE, 1);
        return hc.getPartitionProperty(partitionId, REFERENCE_TIME);
    }

    /** Sets the reference time (frozen meanwhile), then lets it run from there. */
    void continueTime(long partitionId, long referenceTime) {
        hc.setPartitionProperty(partitionId, TIME_FREEZE, 1);
        hc.setPartitionProperty(partitionId, REFERENCE_TIME, referenceTime);
        hc.setPartitionProperty(partitionId, TIME_FREEZE, 0);
    }

    void thawTime(long partitionId) {
        hc.setPartitionProperty(partitionId, TIME_FREEZE, 0);
    }
}
