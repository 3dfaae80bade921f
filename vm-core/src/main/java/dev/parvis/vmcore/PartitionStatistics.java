package dev.parvis.vmcore;

/**
 * What the hypervisor counts for one partition (its stats page, in Hyper-V terms).
 *
 * @param cpuNanos       CPU time its VPs spent running guest code and handling their exits, by the LP
 *                       threads' own CPU clock (host preemption of an LP is not counted)
 * @param hypercalls     hypercalls its VPs issued
 * @param exits          times its VPs left guest execution
 * @param intercepts     intercept messages sent to the root about it
 * @param mappedPages    guest pages in its GPA map
 * @param depositedPages pages deposited for it
 * @param vpCount        its virtual processors
 */
public record PartitionStatistics(long cpuNanos, long hypercalls, long exits, long intercepts, long mappedPages,
                                  long depositedPages, int vpCount) {}
