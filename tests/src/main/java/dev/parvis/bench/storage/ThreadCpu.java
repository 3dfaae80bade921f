package dev.parvis.bench.storage;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * CPU time of the process's platform threads between two points, summed by the group a thread's
 * name puts it in: where a benchmark's time went (virtual threads count on their carriers).
 */
public final class ThreadCpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Function<String, String> group;
    private final Map<Long, Long> start;
    private final Map<Long, String> names = new HashMap<>();

    private ThreadCpu(Function<String, String> group) {
        this.group = group;
        this.start = now();
    }

    /** Starts counting; {@code group} maps a thread name to its group (null: not counted). */
    public static ThreadCpu start(Function<String, String> group) {
        return new ThreadCpu(group);
    }

    /** Nanoseconds of CPU each group used since {@link #start}, groups in name order. */
    public Map<String, Long> since() {
        Map<String, Long> out = new TreeMap<>();
        now().forEach((id, cpu) -> {
            String g = group.apply(names.get(id));
            if (g != null) {
                out.merge(g, cpu - start.getOrDefault(id, 0L), Long::sum);
            }
        });
        return out;
    }

    private Map<Long, Long> now() {
        Map<Long, Long> cpu = new HashMap<>();
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info != null) {
                long nanos = THREADS.getThreadCpuTime(info.getThreadId());
                if (nanos >= 0) {
                    cpu.put(info.getThreadId(), nanos);
                    names.put(info.getThreadId(), info.getThreadName());
                }
            }
        }
        return cpu;
    }
}
