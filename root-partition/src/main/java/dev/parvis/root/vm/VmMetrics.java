package dev.parvis.root.vm;

import java.time.Duration;

/**
 * One VM's counters in the spirit of Measure-VM: CPU time its VPs ran, time since it last started
 * running (restores count as a continuation: uptime is accumulated across save/restore in this
 * host process), guest RAM assigned, hypercalls, VMBus bytes its devices moved, and disk and
 * network bytes (0 until those devices exist).
 */
public record VmMetrics(Duration cpuTime, Duration uptime, long memoryAssignedBytes, long hypercalls, long vmbusBytesIn,
                        long vmbusBytesOut, long diskBytes, long networkBytes) {
    public static final VmMetrics NONE = new VmMetrics(Duration.ZERO, Duration.ZERO, 0, 0, 0, 0, 0, 0);
}
