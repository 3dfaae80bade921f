package dev.parvis.shell.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.shell.JobThreads;
import dev.parvis.shell.MockedHyperVHost;
import dev.parvis.shell.SessionBuilder;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.jobs.ShellJob;
import dev.parvis.shell.jobs.ShellJobs;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.ErrorRecord;
import dev.parvis.shell.syntax.SourceText;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A seeded fuzz of script files, the shell's trust boundary ({@code ./parvis -File} runs whatever a
 * file says): scripts from a grammar-aware generator, most of them then mutated (see
 * {@link ScriptGenerator}, {@link ScriptMutator}), run one after another in one session whose
 * Hyper-V commands reach the real management model over a mocked VM service. The session is built
 * as {@code -File} builds it, with no step budget: a run still going after 50 ms of CPU (or 300 ms)
 * is cancelled as Ctrl-C cancels it, and must then end within seconds. Every run must end in output
 * or a reported error (a parse error with a position, a runtime error naming its command or
 * position, always with a message), never with a Java exception escaping, an internal error, Java
 * names or stack frames shown to the user, or a stack overflow or memory exhaustion reaching the
 * last-resort catches of ShellSession and ScriptParser; and the session must then still run a
 * well-formed command (arithmetic and Get-VM). A case that started background jobs ends by stopping
 * and removing them; none may then be left in the session's list or running on a thread.
 *
 * <p>{@code -Dparvis.fuzz.cases=N -Dparvis.fuzz.seed=S} for a longer campaign; a failure names its
 * seed and case, writes the script under target/test-cwd/script-fuzz-failures, and
 * {@code -Dparvis.fuzz.case=I} runs that one case alone in a fresh session.
 */
class ScriptFuzzTest {
    private static final long SEED = Long.getLong("parvis.fuzz.seed", 20261204L);
    private static final int CASES = Integer.getInteger("parvis.fuzz.cases", 2_000);
    private static final Integer ONLY = Integer.getInteger("parvis.fuzz.case");
    /** A run is cancelled after this much of its thread's CPU time (not wall time: other work on the machine must not change outcomes)... */
    private static final long CANCEL_AFTER_CPU_MS = Long.getLong("parvis.fuzz.cancelMs", 50);
    /** ...or after this long (Start-Sleep, a wait for a job: little CPU, much time). */
    private static final long CANCEL_AFTER_WALL_MS = 300;
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();
    private static final long STOP_WITHIN_S = 10;
    private static final int MAX_REPORTED = 5;
    private static final String CHECK = "(6*7); (Get-VM -Name fuzz-a).Name";
    /** Commands left out: they reach other hosts over the network. */
    private static final Set<String> OUTSIDE = Set.of("Enter-PSSession", "Register-VMHost");
    /** How a case ends its jobs, as a user would; the preferences are set on the commands, as a script may have changed them. */
    private static final String END_JOBS = "Get-Job | Stop-Job -WhatIf:$false -Confirm:$false; Get-Job | Remove-Job -WhatIf:$false -Confirm:$false";
    private static final Pattern LEAK = Pattern.compile("(?m)^\\s*at [\\w$.]+\\(|\\b(?:java|javax|jdk|sun|org\\.antlr|com\\.fasterxml|org\\.mockito)\\.\\w[\\w.$]*"
            + "|Internal error");
    /** What ShellSession and ScriptParser say when they catch a StackOverflowError or OutOfMemoryError: a limit let it through. */
    private static final Pattern SAFETY_NET = Pattern.compile("stack is exhausted|nested too deeply to parse|ran out of memory|Could not format the output");
    /**
     * The evaluation thread's stack. The shell runs scripts with 256 MiB; its nesting limits keep a
     * script far inside a sixteenth of that, and a smaller stack here makes a missing limit show as
     * a stack overflow instead of hiding in the headroom.
     */
    private static final long STACK_MIB = Long.getLong("parvis.fuzz.stackMiB", 16);
    private static volatile Thread evaluator;
    private static final ExecutorService RUNNER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(null, r, "fuzz-eval", STACK_MIB << 20);
        t.setDaemon(true);
        evaluator = t;
        return t;
    });

    private BufferHost host;
    private ShellSession session;
    private int stopped;
    private int parseErrors;
    private int runtimeErrors;
    private int clean;
    private int withJobs;

    @AfterAll
    static void stop() {
        RUNNER.shutdownNow();
    }

    @Test
    void everyScriptEndsInOutputOrAReportedErrorAndTheSessionStillRunsACommand() throws Exception {
        newSession();
        List<CommandSpec> specs = session.commands().all().stream().map(CommandDefinition::spec).filter(s -> !OUTSIDE.contains(s.name())).toList();
        List<String> failures = new ArrayList<>();
        long start = System.nanoTime();
        int from = ONLY == null ? 0 : ONLY;
        int to = ONLY == null ? CASES : ONLY + 1;
        for (int i = from; i < to && failures.size() < MAX_REPORTED; i++) {
            String script = FuzzScripts.script(SEED, i, specs);
            String problem = runCase(script);
            String jobs = problem != null && problem.startsWith("hang") ? null : endJobs();
            problem = problem == null ? jobs : problem;
            if (problem != null) {
                failures.add(String.format("seed %d case %d (alone: -Dparvis.fuzz.seed=%d -Dparvis.fuzz.case=%d; script in %s): %s%n  script: %s", SEED,
                        i, SEED, i, saved(script, i), problem, shown(script)));
                if (problem.startsWith("hang")) {
                    break;
                }
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("script fuzz: seed %d, %d scripts in %d ms: %d clean, %d with parse errors, %d with runtime errors, %d stopped by cancel, %d ended jobs%n",
                SEED, to - from, ms, clean, parseErrors, runtimeErrors, stopped, withJobs);
        assertTrue(failures.isEmpty(), failures.size() + " failing case(s):\n" + String.join("\n", failures));
    }

    private void newSession() {
        host = new BufferHost(100, false);
        Path dir = Path.of("").toAbsolutePath().resolve("script-fuzz");
        session = new SessionBuilder(host).hosts(MockedHyperVHost.connections(dir, List.of("fuzz-a", "fuzz-b"))).build();
    }

    /** Runs one script, then the check command; what went wrong, or null. */
    private String runCase(String script) throws Exception {
        List<Object> errorsBefore = errorList();
        int internalBefore = session.internalErrors();
        host.clear();
        String run = runStoppable(script, CANCEL_AFTER_CPU_MS, CANCEL_AFTER_WALL_MS);
        if (run != null) {
            return run;
        }
        String transcript = host.transcript();
        if (session.internalErrors() != internalBefore) {
            return "internal error: " + excerpt(host.errors(), "Internal error");
        }
        Matcher leak = LEAK.matcher(transcript);
        if (leak.find()) {
            return "Java internals shown to the user: " + excerpt(transcript, leak.group());
        }
        Matcher net = SAFETY_NET.matcher(transcript);
        if (net.find()) {
            return "a stack overflow or memory exhaustion reached the shell's last-resort catch (a limit is missing): " + excerpt(transcript, net.group());
        }
        String records = checkNewErrors(errorsBefore);
        if (records != null) {
            return records;
        }
        host.clear();
        String check = runStoppable(CHECK, 10_000, 10_000);
        String out = host.output().strip().replace("\r", "");
        if (check != null || !out.equals("42\nfuzz-a")) {
            return "the session no longer runs '" + CHECK + "': " + (check != null ? check : shown(out) + " / " + shown(host.errors()));
        }
        return null;
    }

    /**
     * Ends the case's jobs with {@link #END_JOBS}; what is wrong if the session still lists a job
     * or a job's thread (also one a job's own session started) is still alive after that, or null.
     */
    private String endJobs() throws Exception {
        if (session.service(ShellJobs.class).all().isEmpty()) {
            return null;
        }
        withJobs++;
        host.clear();
        String run = runStoppable(END_JOBS, 10_000, 10_000);
        if (run != null) {
            return "ending the case's jobs: " + run;
        }
        List<ShellJob> left = session.service(ShellJobs.class).all();
        if (!left.isEmpty()) {
            return "jobs left after '" + END_JOBS + "': " + left.stream().map(j -> j.name() + " " + j.state()).toList() + " / " + shown(host.errors());
        }
        int alive = JobThreads.awaitNone(TimeUnit.SECONDS.toNanos(STOP_WITHIN_S));
        return alive == 0 ? null : alive + " job thread(s) still running " + STOP_WITHIN_S + " s after the case's jobs were stopped and removed";
    }

    /** Runs {@code text}, cancelling it (Ctrl-C) if it runs too long (see CANCEL_AFTER_CPU_MS); a problem, or null. */
    private String runStoppable(String text, long cpuMs, long wallMs) throws Exception {
        Future<RunResult> f = RUNNER.submit(() -> session.run(SourceText.interactive(text)));
        try {
            awaitOrCancel(f, cpuMs, wallMs);
            f.get(STOP_WITHIN_S, TimeUnit.SECONDS);
            return null;
        } catch (TimeoutException e) {
            f.cancel(true);
            return "hang: still running " + STOP_WITHIN_S + " s after cancel (Ctrl-C); stack:\n" + stackOf();
        } catch (ExecutionException e) {
            return "a Java exception escaped the shell: " + e.getCause();
        }
    }

    private void awaitOrCancel(Future<RunResult> f, long cpuMs, long wallMs) throws Exception {
        long cpuStart = CPU.getThreadCpuTime(evaluator.threadId());
        long wallEnd = System.nanoTime() + wallMs * 1_000_000;
        while (true) {
            try {
                f.get(2, TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException e) {
                if (CPU.getThreadCpuTime(evaluator.threadId()) - cpuStart > cpuMs * 1_000_000 || System.nanoTime() > wallEnd) {
                    session.cancel();
                    stopped++;
                    return;
                }
            }
        }
    }

    /** Every error the run recorded has a message and says where: a parse error its position, others their command or position. */
    private String checkNewErrors(List<Object> before) {
        Object head = before.isEmpty() ? null : before.get(0);
        boolean parse = false;
        boolean runtime = false;
        for (Object o : errorList()) {
            if (o == head) {
                break;
            }
            if (!(o instanceof ErrorRecord r)) {
                continue;
            }
            boolean isParse = r.category() == ErrorCategory.PARSER_ERROR;
            parse |= isParse;
            runtime |= !isParse;
            if (r.message() == null || r.message().isBlank()) {
                return "an error without a message: " + r.fullyQualifiedErrorId();
            }
            if (isParse ? !r.position().isKnown() : r.commandName() == null && !r.position().isKnown()) {
                return "an error that does not say where: " + shown(r.message()) + " (" + r.fullyQualifiedErrorId() + ")";
            }
        }
        parseErrors += parse ? 1 : 0;
        runtimeErrors += runtime ? 1 : 0;
        clean += parse || runtime ? 0 : 1;
        return null;
    }

    /** $Error as the script left it (a script may put anything in it). */
    private List<Object> errorList() {
        return session.globalVariable("Error") instanceof List<?> l ? new ArrayList<>(l) : List.of();
    }

    /** Writes a failing script where {@code ./parvis -File} can run it; its path. */
    private static Path saved(String script, int index) throws java.io.IOException {
        Path file = Path.of("").toAbsolutePath().resolve("script-fuzz-failures").resolve("seed-" + SEED + "-case-" + index + ".ps1");
        java.nio.file.Files.createDirectories(file.getParent());
        // getBytes writes a lone surrogate (the mutator makes them) as '?' where writeString would throw; the seed and case reproduce it exactly
        java.nio.file.Files.write(file, script.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return file;
    }

    private static String stackOf() {
        StringBuilder b = new StringBuilder();
        Thread.getAllStackTraces().forEach((t, frames) -> {
            if (t.getName().equals("fuzz-eval")) {
                for (int i = 0; i < Math.min(25, frames.length); i++) {
                    b.append("    at ").append(frames[i]).append('\n');
                }
            }
        });
        return b.toString();
    }

    private static String excerpt(String text, String around) {
        int at = Math.max(0, text.indexOf(around) - 200);
        return shown(text.substring(at, Math.min(text.length(), at + 600)));
    }

    /** {@code s} abbreviated, with control characters and lone surrogates written as escapes. */
    static String shown(String s) {
        String cut = s.length() > 600 ? s.substring(0, 600) + "...(" + s.length() + " chars)" : s;
        StringBuilder b = new StringBuilder();
        for (char c : cut.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : c == '\n' ? "\\n" : String.format("\\u%04x", (int) c));
        }
        return b.toString();
    }
}
