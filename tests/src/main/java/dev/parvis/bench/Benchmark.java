package dev.parvis.bench;

import java.io.PrintStream;

/** One named benchmark: runs its comparisons and prints one {@code ratio=} line per comparison. */
interface Benchmark {
    String name();

    void run(PrintStream out) throws Exception;
}
