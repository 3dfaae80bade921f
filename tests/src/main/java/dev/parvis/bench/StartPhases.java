package dev.parvis.bench;

import dev.parvis.root.vm.RequestProgress;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a managed create-to-running goes, phase by phase, from the worker's own progress reports
 * (VmWorker.boot reports 5 once the image is parsed, 20 once admitted (and Starting, for a VM that
 * already existed), 60 once ChildLoader has built the partition up to its connections, 90 once
 * routing, CPU controls and VMBus are attached, 95 once a VM being created is durable and Starting,
 * 100 once finalized and Running): the bench line shows the median of each. Sequential (New-VM,
 * then Start-VM): the create phase comes first and the worker's phases follow it. Overlapped
 * (createAndStart): the worker's phases run from the request on, and the create (the configuration
 * made durable on the caller's thread) is shown beside them, not in the chain.
 */
final class StartPhases {
    /** Percent at which each worker phase ends, in order. */
    private static final int[] MARKS = {5, 20, 60, 90, 95, 100};
    /** Each timestamp's phase, named by the interval that ends at it: start, created, the marks, running. */
    private static final String[] NAMES = {
        null, "create (config written and fsync'd, worker made)", "hand-off to the worker + image", "admission (+ Starting event, two requests)",
        "partition built (ChildLoader up to connections)", "routing + CPU controls + VMBus attach",
        "wait for the durable config + Starting event", "finalize + Running event", "future completion seen"};
    private static final int CREATED = 1;

    private final boolean overlapped;
    private final Map<String, Samples> samples = new LinkedHashMap<>();

    /** {@code overlapped}: the create runs beside the start (createAndStart), not before it. */
    StartPhases(boolean overlapped) {
        this.overlapped = overlapped;
        for (int i = 1; i < NAMES.length; i++) {
            samples.put(NAMES[i], new Samples());
        }
    }

    void add(Clock clock) {
        long[] t = clock.times;
        if (overlapped) {
            samples.get(NAMES[CREATED]).add((t[CREATED] - t[0]) / 1e6);
        }
        int previous = 0;
        for (int i = 1; i < t.length; i++) {
            if (t[i] == 0 || (overlapped && i == CREATED)) {
                continue; // a mark this path does not report (95 on an ordinary start)
            }
            samples.get(NAMES[i]).add((t[i] - t[previous]) / 1e6);
            previous = i;
        }
    }

    void print(PrintStream out, String backend, String path) {
        StringBuilder line = new StringBuilder("lifecycle: " + backend + " " + path + " by phase, median ms:");
        samples.forEach((name, s) -> {
            if (s.count() > 0) {
                String shown = overlapped && name.equals(NAMES[CREATED]) ? name + ", beside the phases that follow" : name;
                line.append(String.format(" %s %.2f;", shown, s.median()));
            }
        });
        out.println(line);
    }

    /** Timestamps of one create-to-running: start, created, each progress mark, running. */
    static final class Clock implements RequestProgress {
        private final long[] times = new long[NAMES.length];

        Clock() {
            times[0] = System.nanoTime();
        }

        void created() {
            times[CREATED] = System.nanoTime();
        }

        @Override
        public void report(int percentComplete) {
            for (int i = 0; i < MARKS.length; i++) {
                if (MARKS[i] == percentComplete && times[i + 2] == 0) {
                    times[i + 2] = System.nanoTime();
                }
            }
        }

        void running() {
            times[NAMES.length - 1] = System.nanoTime();
        }
    }
}
