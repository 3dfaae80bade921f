package dev.parvis.shell.console;

import dev.parvis.shell.SessionBuilder;
import dev.parvis.shell.engine.RunResult;
import dev.parvis.shell.engine.ShellHost;
import dev.parvis.shell.engine.ShellSession;
import dev.parvis.shell.hyperv.HostConnections;
import dev.parvis.shell.jobs.ShellJobs;
import dev.parvis.shell.syntax.SourceText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.ToIntFunction;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The shell's entry point: {@code -File script.ps1 [args]} and {@code -Command "..."} for scripts
 * and CI, the interactive prompt otherwise. Exit codes: the script's {@code exit N}; otherwise 0
 * when it ran to the end (-File) or its last statement succeeded (-Command), 1 after a terminating
 * error, a parse error or a failed last statement, 2 for a wrong command line, 130 when Ctrl-C
 * stopped it.
 */
public final class ShellMain {
    static final String BANNER = "Parvis shell. Try Get-VM, Get-Command, or Get-Help <command> -Examples. Ctrl-D to leave.";

    private ShellMain() {
    }

    /** The demo VM {@code -Demo} makes sure of: created on first use, started, through the same commands a user types. */
    static final String DEMO = "if (-not (Get-VM -Name demo -ErrorAction SilentlyContinue)) { New-VM -Name demo -MemoryStartupBytes 16MB | Out-Null }\n"
            + "if ((Get-VM -Name demo).State -ne 'Running') { Start-VM -Name demo }";

    public static void main(String[] args) {
        int code;
        try (HostConnections hosts = SessionBuilder.defaultHosts(); ShellJobs jobs = new ShellJobs()) {
            code = run(args, host -> new SessionBuilder(host).hosts(hosts).jobs(jobs));
        }
        System.exit(code);
    }

    /** Runs the shell with {@code args}; {@code sessions} makes the session for a host. */
    public static int run(String[] args, java.util.function.Function<ShellHost, SessionBuilder> sessions) {
        List<String> a = Arrays.asList(args);
        if (!a.isEmpty() && (a.get(0).equalsIgnoreCase("-File") || a.get(0).equalsIgnoreCase("-f"))) {
            if (a.size() < 2) {
                return usage("-File needs a script path");
            }
            return runFile(Path.of(a.get(1)), a.subList(2, a.size()), sessions);
        }
        if (!a.isEmpty() && (a.get(0).equalsIgnoreCase("-Command") || a.get(0).equalsIgnoreCase("-c"))) {
            if (a.size() < 2) {
                return usage("-Command needs the commands to run");
            }
            return runCommand(String.join(" ", a.subList(1, a.size())), sessions);
        }
        boolean demo = !a.isEmpty() && a.get(0).equalsIgnoreCase("-Demo");
        if (!a.isEmpty() && !demo) {
            return usage("unknown argument '" + a.get(0) + "'");
        }
        return interactive(sessions, demo);
    }

    private static int runFile(Path file, List<String> args, java.util.function.Function<ShellHost, SessionBuilder> sessions) {
        StreamHost host = new StreamHost(System.out, System.err);
        ShellSession session = sessions.apply(host).build();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return session.reportFailure("Cannot read the script file " + file + ": " + e.getMessage()).exitCode();
        }
        SourceText script = new SourceText(file.toAbsolutePath().normalize().toString(), text);
        return runInterruptibly(session, () -> session.runScript(script, args), RunResult::exitCode);
    }

    private static int runCommand(String text, java.util.function.Function<ShellHost, SessionBuilder> sessions) {
        StreamHost host = new StreamHost(System.out, System.err);
        ShellSession session = sessions.apply(host).build();
        return runInterruptibly(session, () -> session.run(SourceText.interactive(text)),
                r -> r.exited() ? r.exitCode() : r.success() ? 0 : 1);
    }

    /** Runs {@code work} on the evaluation thread with Ctrl-C stopping it; the exit code is 130 after a Ctrl-C. */
    private static int runInterruptibly(ShellSession session, Callable<RunResult> work, ToIntFunction<RunResult> exitCode) {
        try (EvaluationThread eval = new EvaluationThread(); InterruptSignal ctrlC = InterruptSignal.install(session, eval)) {
            RunResult r = eval.run(work);
            return ctrlC.received() && !r.exited() ? InterruptSignal.EXIT_CODE : exitCode.applyAsInt(r);
        }
    }

    /** {@code dumb(true)}: with no terminal (input piped in) the prompt reads lines plainly, and JLine need not warn about it. */
    private static int interactive(java.util.function.Function<ShellHost, SessionBuilder> sessions, boolean demo) {
        try (Terminal terminal = TerminalBuilder.builder().system(true).dumb(true).nativeSignals(true).build()) {
            return new InteractiveShell(terminal, historyFile(), BANNER, demo ? DEMO : null).run(host -> sessions.apply(host).build());
        } catch (IOException e) {
            System.err.println("parvis shell: cannot open the terminal: " + e.getMessage());
            return 1;
        }
    }

    /** ~/.parvis/shell_history, or under $PARVIS_DATA_DIR. */
    static Path historyFile() {
        String data = System.getenv("PARVIS_DATA_DIR");
        Path dir = data != null && !data.isBlank() ? Path.of(data) : Path.of(System.getProperty("user.home"), ".parvis");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            // JLine reports an unwritable history file itself
        }
        return dir.resolve("shell_history");
    }

    private static int usage(String why) {
        System.err.println("parvis: " + why);
        System.err.println("usage: ./parvis shell [-Demo]          the interactive shell (-Demo: start the demo VM first)");
        System.err.println("       ./parvis -File script.ps1 [args...]");
        System.err.println("       ./parvis -Command \"Get-VM | Format-Table\"");
        return 2;
    }
}
