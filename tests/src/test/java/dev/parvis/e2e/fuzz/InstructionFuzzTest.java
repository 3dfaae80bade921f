package dev.parvis.e2e.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.HypervisorConfig;
import dev.parvis.hv.backend.unicorn.UnicornBackend;
import dev.parvis.vmcore.HypercallFailedException;
import dev.parvis.vmcore.RootHypercalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Hunts for guest instructions that take the CPU emulator down: at least 1,000,000 seeded, biased
 * random sequences ({@link InstructionGenerator}) run through the real partition path (kernel, LP
 * threads, exits, intercepts to the root, SetVpRegisters to resume), by one worker per logical
 * processor. A sequence that fails its partition is pinned down in fresh partitions, recorded with
 * its bytes and reason, and the run continues in a fresh partition. The host (this JVM) must survive.
 * Every culprit is written to target/instruction-fuzz-culprits.txt.
 * {@code -Dparvis.fuzz.sequences=N} and {@code -Dparvis.fuzz.seed=S} change the run.
 */
class InstructionFuzzTest {
    private static final long SEQUENCES = Long.getLong("parvis.fuzz.sequences", 1_000_000);
    private static final long SEED = Long.getLong("parvis.fuzz.seed", 0x5EED_0F_ABC8L);
    private static final int WORKERS = 2;
    private static final int PER_BATCH = FuzzPartition.SLOTS - 1;

    private record Culprit(byte[] bytes, String reason) {}

    private record Tally(long sequences, long faults, long stalls, long partitions, List<Culprit> culprits) {}

    @Test
    void aMillionRandomSequencesNeverTakeDownTheHost() throws Exception {
        long t0 = System.nanoTime();
        List<Tally> tallies = new ArrayList<>();
        try (Hypervisor hv = Hypervisor.boot(new HypervisorConfig(128L << 20, UnicornBackend::new, Duration.ofMillis(10), WORKERS));
             InterceptRouter router = new InterceptRouter(hv.rootSynic());
             ExecutorService pool = Executors.newFixedThreadPool(WORKERS)) {
            List<Future<Tally>> work = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                long seed = SEED + w;
                long share = (SEQUENCES + WORKERS - 1) / WORKERS;
                work.add(pool.submit(() -> work(hv, new RootHypercalls(hv.gateway()), router, seed, share)));
            }
            for (Future<Tally> f : work) {
                tallies.add(f.get());
            }
        }
        Tally total = report(tallies, System.nanoTime() - t0);
        assertTrue(total.sequences() >= SEQUENCES, "ran " + total.sequences());
        assertTrue(total.culprits().stream().anyMatch(c -> c.bytes()[0] == (byte) 0xF0 && c.bytes()[2] == (byte) 0xAB),
                "the known seed F0 0F AB C8 is found (the fuzz finds what it hunts)");
    }

    private static Tally work(Hypervisor hv, RootHypercalls hc, InterceptRouter router, long seed, long count)
            throws InterruptedException {
        InstructionGenerator generator = new InstructionGenerator(seed);
        List<Culprit> culprits = new ArrayList<>();
        long sequences = 0, faults = 0, stalls = 0, partitions = 1;
        FuzzPartition partition = new FuzzPartition(hv, hc, router);
        try {
            while (sequences < count) {
                byte[][] batch = new byte[PER_BATCH][];
                for (int i = 0; i < PER_BATCH; i++) {
                    batch[i] = generator.next(sequences + i);
                }
                int from = 0;
                while (from < PER_BATCH) {
                    FuzzPartition.Outcome outcome;
                    try {
                        outcome = partition.run(FuzzPartition.layout(without(batch, 0, from)), from);
                    } catch (HypercallFailedException e) {
                        // The partition failed before this batch started (a VP that never came back to
                        // the end port of the last one): start the batch again in a fresh partition.
                        partition.close();
                        partition = new FuzzPartition(hv, hc, router);
                        partitions++;
                        continue;
                    }
                    if (outcome instanceof FuzzPartition.Outcome.Done d) {
                        faults += d.faults();
                        stalls += d.stalls();
                        break;
                    }
                    var failed = (FuzzPartition.Outcome.Failed) outcome;
                    partition.close();
                    int culprit = culprit(hv, hc, router, batch, from, Math.max(from, failed.marker()));
                    culprits.add(new Culprit(batch[culprit], failed.reason()));
                    partition = new FuzzPartition(hv, hc, router);
                    partitions += 2;
                    from = culprit + 1;
                }
                sequences += PER_BATCH;
            }
        } finally {
            partition.close();
        }
        return new Tally(sequences, faults, stalls, partitions, culprits);
    }

    /** Slots [from, upTo) replaced by NOP filler. */
    private static byte[][] without(byte[][] batch, int from, int upTo) {
        byte[][] copy = batch.clone();
        for (int i = from; i < upTo; i++) {
            copy[i] = null;
        }
        return copy;
    }

    /**
     * The slot whose marker ran last is the suspect: confirmed when it alone fails a fresh partition;
     * otherwise (it needed its neighbours) the first failing prefix from {@code from} is bisected.
     */
    private static int culprit(Hypervisor hv, RootHypercalls hc, InterceptRouter router, byte[][] batch, int from, int suspect)
            throws InterruptedException {
        if (suspect < PER_BATCH && fails(hv, hc, router, without(without(batch, 0, suspect), suspect + 1, PER_BATCH), suspect)) {
            return suspect;
        }
        int low = from, high = PER_BATCH - 1;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (fails(hv, hc, router, without(without(batch, 0, from), mid + 1, PER_BATCH), from)) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        return low;
    }

    private static boolean fails(Hypervisor hv, RootHypercalls hc, InterceptRouter router, byte[][] slots, int from)
            throws InterruptedException {
        try (FuzzPartition p = new FuzzPartition(hv, hc, router)) {
            return p.run(FuzzPartition.layout(slots), from) instanceof FuzzPartition.Outcome.Failed;
        }
    }

    private static Tally report(List<Tally> tallies, long nanos) throws IOException {
        long sequences = 0, faults = 0, stalls = 0, partitions = 0;
        List<Culprit> culprits = new ArrayList<>();
        for (Tally t : tallies) {
            sequences += t.sequences();
            faults += t.faults();
            stalls += t.stalls();
            partitions += t.partitions();
            culprits.addAll(t.culprits());
        }
        Map<String, List<String>> byReason = new TreeMap<>();
        for (Culprit c : culprits) {
            byReason.computeIfAbsent(c.reason().replaceAll(" running guest code entered at RIP 0x[0-9a-f]+", ""),
                    r -> new ArrayList<>()).add(HexFormat.ofDelimiter(" ").formatHex(c.bytes()));
        }
        System.out.printf("fuzz: %d sequences in %.1f s (seed 0x%x, %d workers): %d guest faults resumed by the root,"
                + " %d stalls moved on, %d partitions created, %d ended by the emulator%n", sequences, nanos / 1e9, SEED,
                tallies.size(), faults, stalls, partitions, culprits.size());
        List<String> lines = new ArrayList<>();
        byReason.forEach((reason, list) -> {
            System.out.println("fuzz: " + list.size() + " x " + reason + "; e.g. " + String.join(" | ", list.subList(0, Math.min(3, list.size()))));
            lines.add(list.size() + " x " + reason);
            list.forEach(b -> lines.add("    " + b));
        });
        Path file = Path.of("target/instruction-fuzz-culprits.txt");
        Files.write(file, lines);
        System.out.println("fuzz: every culprit with its reason: " + file.toAbsolutePath());
        return new Tally(sequences, faults, stalls, partitions, culprits);
    }
}
