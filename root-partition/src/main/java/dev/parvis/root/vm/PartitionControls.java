package dev.parvis.root.vm;

import dev.parvis.root.config.CpuControls;
import dev.parvis.vmcore.RootHypercalls;

/**
 * The partition properties VM management sets: suspend, CPU controls and reference time. The only
 * place their codes are written down in the root (until they are in HvPartitionProperty).
 */
final class PartitionControls {
    /** 1: no VP runs (returns when none is running); 0: resume. */
    static final int SUSPEND = 0x0002_0000;
    /** Reserve and cap in thousandths of a percent of one LP; cap 100000 = none. */
    static final int CPU_RESERVE = 0x0002_0001;
    static final int CPU_CAP = 0x0002_0002;
    /** Relative weight 1..10000. */
    static final int CPU_WEIGHT = 0x0002_0003;
    /** 1 freezes, 0 thaws the partition's reference time. */
    static final int TIME_FREEZE = 0x0003_0003;
    /** The reference time in 100 ns units; settable only while frozen. */
    static final int REFERENCE_TIME = 0x0003_0005;

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
