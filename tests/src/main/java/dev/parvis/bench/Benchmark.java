package dev.parvis.bench;

import dev.parvis.hv.backend.BackendChoice;
import java.io.PrintStream;

/** One named benchmark: runs its comparisons and prints one {@code ratio=} line per comparison. */
interface Benchmark {
    String name();

    /** Runs on guests of {@code backend} (comparisons that run no guest ignore it). */
    void run(PrintStream out, BackendChoice backend) throws Exception;
}
