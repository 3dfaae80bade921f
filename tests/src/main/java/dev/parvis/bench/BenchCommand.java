package dev.parvis.bench;

import dev.parvis.hv.backend.BackendChoice;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code parvis bench [NAME] [--backend kvm|unicorn|auto]}: runs one benchmark by name, or all of
 * them in order, with guests on the chosen processor backend (default auto). Each comparison prints
 * one line ending in {@code ratio=<ours/baseline>}.
 */
public final class BenchCommand {
    private static final List<Benchmark> BENCHMARKS = List.of(new MipsBench(), new StoresBench(), new HypercallBench(),
            new VmbusBench(), new LifecycleBench(), new ApiBench(), new StorageBench());

    private BenchCommand() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, Benchmark> byName = new LinkedHashMap<>();
        BENCHMARKS.forEach(b -> byName.put(b.name(), b));
        String known = String.join(", ", byName.keySet());
        String usage = "usage: parvis bench [NAME] [--backend kvm|unicorn|auto]   (NAME: " + known + "; none runs all)";
        BackendChoice backend = BackendChoice.AUTO;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-h", "--help" -> {
                    err.println(usage);
                    return 0;
                }
                case "--backend" -> {
                    if (i + 1 >= args.length) {
                        err.println(usage);
                        return 2;
                    }
                    try {
                        backend = BackendChoice.parse(args[++i]);
                    } catch (IllegalArgumentException e) {
                        err.println("parvis bench: " + e.getMessage());
                        return 2;
                    }
                }
                default -> names.add(args[i]);
            }
        }
        if (names.size() > 1) {
            err.println(usage);
            return 2;
        }
        List<Benchmark> selected;
        if (names.isEmpty()) {
            selected = BENCHMARKS;
        } else {
            Benchmark b = byName.get(names.get(0));
            if (b == null) {
                err.println("parvis bench: unknown benchmark '" + names.get(0) + "'; known benchmarks: " + known);
                return 2;
            }
            selected = List.of(b);
        }
        for (Benchmark b : selected) {
            try {
                b.run(out, backend);
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
