package dev.parvis.vmcore.log;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One {@link LogBudget} per source for a site that logs on behalf of many guests (a kernel handler, a
 * pump serving every child), so one guest's flood does not use up another guest's lines. At most
 * {@code maxSources} budgets are kept (least recently used dropped), so the table itself is bounded
 * however many partitions come and go.
 */
public final class LogBudgets {
    private static final int DEFAULT_MAX_SOURCES = 1024;

    private final int burst;
    private final double perSecond;
    private final Map<Long, LogBudget> budgets;

    public LogBudgets(int burst, double perSecond, int maxSources) {
        this.burst = burst;
        this.perSecond = perSecond;
        this.budgets = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, LogBudget> eldest) {
                return size() > maxSources;
            }
        };
    }

    public static LogBudgets standard() {
        return new LogBudgets(LogBudget.DEFAULT_BURST, LogBudget.DEFAULT_PER_SECOND, DEFAULT_MAX_SOURCES);
    }

    /** The budget of one source, typically a partition id. */
    public synchronized LogBudget of(long source) {
        return budgets.computeIfAbsent(source, s -> new LogBudget(burst, perSecond));
    }
}
