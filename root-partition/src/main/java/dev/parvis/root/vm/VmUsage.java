package dev.parvis.root.vm;

import dev.parvis.vmcore.PartitionStatistics;
import java.time.Duration;
import java.util.Optional;

/**
 * What one VM has used over its partitions in this host process (a save/restore or a restart makes
 * a new partition): CPU time, hypercalls, uptime and VMBus echo bytes. Written on the VM's worker
 * thread, read by metrics from any thread.
 */
final class VmUsage {
    private static final long PAGE = 4096;

    private volatile long cpuNanosBefore;
    private volatile long hypercallsBefore;
    private volatile long uptimeNanosBefore;
    private volatile long runningSinceNanos = -1;
    private volatile long vmbusInBefore;
    private volatile long vmbusOutBefore;

    /** The VM runs (booted, restored or resumed) from now. */
    void running() {
        runningSinceNanos = System.nanoTime();
    }

    /** The VM stops running (paused, saved or its partition gone): its uptime so far is kept. */
    void notRunning() {
        long since = runningSinceNanos;
        if (since >= 0) {
            uptimeNanosBefore += System.nanoTime() - since;
            runningSinceNanos = -1;
        }
    }

    /** Keeps what a partition that is being destroyed used. */
    void partitionEnded(Optional<PartitionStatistics> statistics, long echoBytesIn, long echoBytesOut) {
        statistics.ifPresent(s -> {
            cpuNanosBefore += s.cpuNanos();
            hypercallsBefore += s.hypercalls();
        });
        vmbusInBefore += echoBytesIn;
        vmbusOutBefore += echoBytesOut;
    }

    /** The totals, with what the live partition (if any) used so far. */
    VmMetrics metrics(Optional<PartitionStatistics> live, long echoBytesIn, long echoBytesOut) {
        long cpu = cpuNanosBefore;
        long hypercalls = hypercallsBefore;
        long memory = 0;
        if (live.isPresent()) {
            cpu += live.get().cpuNanos();
            hypercalls += live.get().hypercalls();
            memory = live.get().mappedPages() * PAGE;
        }
        long since = runningSinceNanos;
        long uptime = uptimeNanosBefore + (since >= 0 ? System.nanoTime() - since : 0);
        return new VmMetrics(Duration.ofNanos(cpu), Duration.ofNanos(uptime), memory, hypercalls,
                vmbusInBefore + echoBytesIn, vmbusOutBefore + echoBytesOut, 0, 0);
    }
}
