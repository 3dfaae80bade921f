package dev.parvis.hv.vp;

import dev.parvis.hv.backend.VpExit;
import dev.parvis.hv.memory.GpaMap;
import dev.parvis.hv.partition.StatsPage;

/**
 * One slice of a partition on the calling LP: runs its VPs in turn (serial; no VP held) or the one
 * VP the LP holds (parallel) until the budget is spent, a kick arrives, or nothing can run. Exits
 * handled on the way (hypercalls, port writes, ...) stay on this thread with no lock. The thread's
 * CPU time is added to the partition's once per slice, not per exit.
 */
final class PartitionSlice {
    private static final java.lang.management.ThreadMXBean THREAD_CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    private final PartitionRunner runner;

    PartitionSlice(PartitionRunner runner) {
        this.runner = runner;
    }

    void run(long budgetNanos, VirtualProcessor held) {
        long cpuStart = THREAD_CPU.getCurrentThreadCpuTime();
        try {
            runTimed(budgetNanos, held);
        } finally {
            runner.partition().cpuNanos().addAndGet(THREAD_CPU.getCurrentThreadCpuTime() - cpuStart);
            StatsPage stats = runner.partition().statsPage();
            if (stats != null) {
                stats.refresh(runner.partition()); // the root reads a child's stats page in place
            }
        }
    }

    private void runTimed(long budgetNanos, VirtualProcessor held) {
        long start = System.nanoTime();
        long deadline = start + budgetNanos;
        while (!runner.sliceMustEnd()) {
            VirtualProcessor vp = runner.nextInSlice(held);
            // One clock read per exit: the end of a run is the start of the next, so a VP's run time
            // includes the kernel's handling of its exits (its CPU cost), and the deadline check
            // lags by one exit's handling.
            if (vp == null || start - deadline >= 0) {
                return;
            }
            VpExit exit = runOnce(vp, deadline);
            long end = System.nanoTime();
            vp.countExit(end - start);
            start = end;
            runner.exitHandler().handle(vp, exit);
            if (exit instanceof VpExit.Cancelled) {
                return;
            }
        }
    }

    /** One run of {@code vp} on the partition's current memory map. */
    private VpExit runOnce(VirtualProcessor vp, long deadline) {
        GpaMap map = runner.partition().gpaMap();
        long generation = map.generation();
        if (vp.appliedMapGeneration != generation) {
            vp.engine().applyMemoryMap(map.regions());
            vp.appliedMapGeneration = generation;
        }
        // The deadline is published only while the engine runs, as the preempter kicks engines
        // with a deadline: a stop landing between runs (while the exit is handled) is avoided.
        vp.startSlice(deadline);
        try {
            return vp.engine().run();
        } finally {
            vp.endSlice();
        }
    }
}
