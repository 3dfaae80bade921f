package dev.parvis.vmbus.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 2,000 seeded sequences of control messages, host actions and channel traffic against the VMBus
 * server ({@code -Dparvis.fuzz.cases=N}, {@code -Dparvis.fuzz.seed=S}; one case alone with {@code
 * -Dparvis.fuzz.case=I}, its transcripts printed with {@code -Dparvis.fuzz.verbose=true} and the
 * servers' log lines with {@code -Dparvis.fuzz.log=true}). The guest ({@link FuzzGuest}) posts mostly
 * well-formed messages with plausible ids, some mutated (ids, counts, sizes, types) or garbage, and
 * writes and reads echo packets; the host runs the server's requests and channel turns when the
 * sequence says, stops and resumes the guest's message queue, rescinds, hot-adds and makes device
 * opens fail. Each sequence runs twice from its seed ({@link FuzzRun}): once with the host only
 * catching up at one random step, once with the server saved there (snapshot, written and read
 * back through the saved-state codec) and restored into a fresh server, or resumed. Either run fails
 * on a throwable out of the server, a broken invariant ({@link FuzzChecks}: an answer owed and not
 * given or given twice, a bound broken, a view, signal path or device handler leaked, anything left
 * without a connection, a snapshot that stalls or that the codec or restore refuses); and the two
 * transcripts (the messages the guest received, per GPADL, channel and connection in order, the
 * echoes it read, the server's state after each step) must be the same, except after a save that
 * caught closes racing other requests (counted). Failures are grouped by kind and the first case
 * of each is named with its replay flags. About 6 s on 2 cores.
 */
class ServerSequenceFuzzTest {
    private static final int CASES = Integer.getInteger("parvis.fuzz.cases", 2_000);
    private static final long SEED = Long.getLong("parvis.fuzz.seed", 0x5E9F_022L);
    private static final int ONE_CASE = Integer.getInteger("parvis.fuzz.case", -1);
    private static final boolean VERBOSE = Boolean.getBoolean("parvis.fuzz.verbose");
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** One case: the seed of both its runs, its length and where and how it saves. */
    record Plan(int index, long seed, int steps, int saveStep, FuzzRun.Save save) {
        static Plan of(int index) {
            SplittableRandom r = new SplittableRandom(SEED * 0x9E37_79B9_7F4A_7C15L + index);
            int steps = 20 + r.nextInt(220);
            return new Plan(index, r.nextLong(), steps, r.nextInt(steps), r.nextInt(3) == 0 ? FuzzRun.Save.RESUME
                    : FuzzRun.Save.RESTORE);
        }

        String replay() {
            return "-Dparvis.fuzz.seed=" + SEED + " -Dparvis.fuzz.case=" + index;
        }

        @Override
        public String toString() {
            return "case " + index + " (" + steps + " steps, " + save + " at step " + saveStep + ")";
        }
    }

    /** One kind of failure: how many cases showed it and the first of them. */
    record Failure(int count, int firstCase, String report) {
        Failure plus(Failure other) {
            Failure first = firstCase <= other.firstCase ? this : other;
            return new Failure(count + other.count, first.firstCase, first.report);
        }
    }

    /** What one worker saw. */
    static final class Tally {
        final Map<String, Long> counts = new TreeMap<>();
        final Map<String, Failure> failures = new TreeMap<>();
        long steps;

        void add(Tally other) {
            other.counts.forEach((k, n) -> counts.merge(k, n, Long::sum));
            other.failures.forEach((k, f) -> failures.merge(k, f, Failure::plus));
            steps += other.steps;
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void everySequenceKeepsTheServersInvariantsAndASaveAnywhereChangesNothingTheGuestSees() throws Exception {
        int first = Math.max(0, ONE_CASE);
        int end = ONE_CASE >= 0 ? ONE_CASE + 1 : CASES;
        long start = System.nanoTime();
        Tally total = runAll(first, end);
        System.out.printf("VMBus server sequence fuzz: %d sequences (seed %d), %d steps in %d ms; %s%n", end - first, SEED,
                total.steps, (System.nanoTime() - start) / 1_000_000, total.counts);
        if (!total.failures.isEmpty()) {
            StringBuilder report = new StringBuilder(total.failures.size() + " kinds of failure:");
            total.failures.forEach((kind, f) -> report.append("\n\n%d cases, first: %s".formatted(f.count(), f.report())));
            throw new AssertionError(report.toString());
        }
        if (ONE_CASE < 0) {
            for (String deep : List.of("saved channel phase 0", "saved channel phase 1", "saved channel phase 2",
                    "saved GPADL phase 0", "saved GPADL phase 1", "saved GPADL phase 2 in use", "restored")) {
                assertTrue(total.counts.getOrDefault(deep, 0L) > 0, "the sequences reach " + deep + ": " + total.counts);
            }
        }
    }

    private static Tally runAll(int first, int end) throws Exception {
        int workers = Math.min(Runtime.getRuntime().availableProcessors(), Math.max(1, end - first));
        AtomicLongArray running = new AtomicLongArray(2 * workers); // per worker: its case + 1, its start
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> Thread.ofPlatform().daemon().unstarted(r));
        try {
            List<Future<Tally>> parts = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int worker = w;
                parts.add(pool.submit(() -> {
                    Tally t = new Tally();
                    for (int i = first + worker; i < end; i += workers) {
                        running.set(2 * worker, i + 1);
                        running.set(2 * worker + 1, System.nanoTime());
                        runCase(Plan.of(i), t);
                    }
                    running.set(2 * worker, 0);
                    return t;
                }));
            }
            Tally total = new Tally();
            for (Future<Tally> part : parts) {
                while (!part.isDone()) {
                    watch(running, workers);
                    Thread.sleep(200);
                }
                total.add(part.get());
            }
            return total;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Fails naming a case that has run longer than a case ever should (a hang in the server). */
    private static void watch(AtomicLongArray running, int workers) {
        for (int w = 0; w < workers; w++) {
            long c = running.get(2 * w);
            if (c != 0 && System.nanoTime() - running.get(2 * w + 1) > STALL_NANOS) {
                Plan p = Plan.of((int) c - 1);
                throw new AssertionError(p + " still runs after 60 s (replay with " + p.replay() + ")");
            }
        }
    }

    private static void runCase(Plan p, Tally t) throws InterruptedException {
        FuzzRun plain = new FuzzRun(p.seed(), p.saveStep(), FuzzRun.Save.NONE);
        FuzzRun saved = new FuzzRun(p.seed(), p.saveStep(), p.save());
        boolean ok = run(p, plain, t) && run(p, saved, t);
        if (VERBOSE) {
            System.out.println("---- " + p + " without a save\n" + String.join("\n", plain.transcript));
            System.out.println("---- " + p + " with a " + p.save() + "\n" + String.join("\n", saved.transcript));
        }
        if (!ok) {
            return;
        }
        t.counts.merge("sequences", 1L, Long::sum);
        if (plain.racingCloses) {
            t.counts.merge("sequences not compared: closes racing at the save", 1L, Long::sum);
            return;
        }
        int n = Math.min(plain.transcript.size(), saved.transcript.size());
        for (int i = 0; i <= n; i++) {
            String a = i < plain.transcript.size() ? plain.transcript.get(i) : "(end)";
            String b = i < saved.transcript.size() ? saved.transcript.get(i) : "(end)";
            if (!a.equals(b)) {
                String report = ("%s, %s: after the save the guest's transcript differs at line %d:\n without: %s\n"
                        + " with:    %s\n last steps:\n   %s").formatted(p, p.replay(), i, a, b,
                        String.join("\n   ", plain.recent));
                t.failures.merge("transcripts differ after a " + p.save(), new Failure(1, p.index(), report), Failure::plus);
                return;
            }
        }
    }

    /** Runs one side of a case; false (a failure tallied) when it broke an invariant. */
    private static boolean run(Plan p, FuzzRun r, Tally t) throws InterruptedException {
        try {
            r.run(p.steps());
            return true;
        } catch (AssertionError | RuntimeException e) {
            String kind = String.valueOf(e.getMessage()).replaceAll("0x[0-9a-fA-F]+|-?\\d+", "#");
            kind = kind.length() > 160 ? kind.substring(0, 160) : kind;
            String report = "%s, %s, run %s, step %d: %s\n %s\n last steps:\n   %s".formatted(p, p.replay(),
                    r.saveKind(), r.step, e instanceof FuzzRun.Violation ? e.getMessage()
                    : FuzzChecks.describe(e), r.failureNote(), String.join("\n   ", r.recent));
            t.failures.merge(kind, new Failure(1, p.index(), report), Failure::plus);
            return false;
        } finally {
            t.steps += r.step;
            r.tally.forEach((k, n) -> t.counts.merge(k, n, Long::sum));
        }
    }
}
