package dev.parvis.bench;

import dev.parvis.root.vm.RequestProgress;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a managed create-to-running goes, phase by phase, from the worker's own progress reports
 * (VmWorker.boot reports 5 once the image is parsed, 20 once admitted and Starting, 60 once
 * ChildLoader has built the partition up to its connections, 90 once routing, CPU controls and
 * VMBus are attached, 100 once finalized and Running): the bench line shows the median of each.
 */
final class StartPhases {
    /** Percent at which each phase ends, in order; the phase before the first report is the hand-off. */
    private static final int[] MARKS = {5, 20, 60, 90, 100};
    private static final String[] NAMES = {
        "create (config written and fsync'd, worker made)", "hand-off to the worker + image", "admission + Starting event",
        "partition built (ChildLoader up to connections)", "routing + CPU controls + VMBus attach",
        "finalize + Running event", "future completion seen"};

    private final Map<String, Samples> samples = new LinkedHashMap<>();

    StartPhases() {
        for (String name : NAMES) {
            samples.put(name, new Samples());
        }
    }

    void add(Clock clock) {
        long[] t = clock.times;
        for (int i = 0; i < NAMES.length; i++) {
            if (t[i] > 0 && t[i + 1] > 0) {
                samples.get(NAMES[i]).add((t[i + 1] - t[i]) / 1e6);
            }
        }
    }

    void print(PrintStream out, String backend) {
        StringBuilder line = new StringBuilder("lifecycle: " + backend + " create-to-running by phase, median ms:");
        samples.forEach((name, s) -> line.append(String.format(" %s %.2f;", name, s.median())));
        out.println(line);
    }

    /** Timestamps of one create-to-running: start, created, each progress mark, running. */
    static final class Clock implements RequestProgress {
        private final long[] times = new long[NAMES.length + 1];

        Clock() {
            times[0] = System.nanoTime();
        }

        void created() {
            times[1] = System.nanoTime();
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
            times[NAMES.length] = System.nanoTime();
        }
    }
}
