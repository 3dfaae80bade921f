package dev.parvis.bench;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code parvis bench [NAME]}: runs one benchmark by name, or all of them in order. Each
 * comparison prints one line ending in {@code ratio=<ours/baseline>}.
 */
public final class BenchCommand {
    private static final List<Benchmark> BENCHMARKS = List.of(new MipsBench(), new HypercallBench(), new VmbusBench(),
            new LifecycleBench(), new ApiBench(), new StorageBench());

    private BenchCommand() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, Benchmark> byName = new LinkedHashMap<>();
        BENCHMARKS.forEach(b -> byName.put(b.name(), b));
        String known = String.join(", ", byName.keySet());
        if (args.length > 1 || (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help")))) {
            err.println("usage: parvis bench [NAME]   (NAME: " + known + "; none runs all)");
            return args.length > 1 ? 2 : 0;
        }
        List<Benchmark> selected;
        if (args.length == 0) {
            selected = BENCHMARKS;
        } else {
            Benchmark b = byName.get(args[0]);
            if (b == null) {
                err.println("parvis bench: unknown benchmark '" + args[0] + "'; known benchmarks: " + known);
                return 2;
            }
            selected = List.of(b);
        }
        for (Benchmark b : selected) {
            try {
                b.run(out);
            } catch (Exception e) {
                err.println("parvis bench: " + b.name() + " failed: " + e);
                e.printStackTrace(err);
                return 1;
            }
            out.flush();
        }
        return 0;
    }
}
