package dev.parvis.shell.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.shell.JobThreads;
import dev.parvis.shell.ShellFixture;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bound on jobs holds for the whole tree of sessions an interactive session starts: the jobs a
 * job's script starts (in its own session) count in it too, so nesting Start-Job cannot multiply it.
 */
class JobBoundTest {
    private static final String TOO_MANY = "This shell's sessions have 4 jobs, counting the jobs that jobs started";
    /** Runs until stopped, sleeping between steps (so the jobs the bound admits do not load the cores while the test waits). */
    private static final String ENDLESS = "{ while (1) { Start-Sleep -Milliseconds 20 } }";

    private final ShellJobs jobs = new ShellJobs(4);
    private final ShellFixture shell = new ShellFixture(jobs);

    @AfterEach
    void close() throws Exception {
        shell.session.close();
        jobs.close();
        assertEquals(0, JobThreads.awaitNone(TimeUnit.SECONDS.toNanos(30)), "job threads still running");
    }

    @Test
    void theInteractiveSessionIsRefusedWhenItsJobsJobsFillTheBound() throws Exception {
        shell.run("$j = Start-Job { 1..3 | ForEach-Object { $null = Start-Job " + ENDLESS + " }; while (1) { Start-Sleep -Milliseconds 20 } }");
        awaitJobThreads(4);
        shell.run("Start-Job { 1 }");
        assertTrue(shell.errors().contains(TOO_MANY), shell.errors());
        assertEquals(1, jobs.all().size(), "the session's own list has the one job it started");
    }

    @Test
    void aJobsScriptIsRefusedPastTheBoundAndTheSlotsComeBackWhenTheJobEnds() {
        String out = shell.out("Start-Job { 1..5 | ForEach-Object { try { $null = Start-Job " + ENDLESS + " -ErrorAction Stop; 'started' } "
                + "catch { $_.Exception.Message } } } | Wait-Job | Receive-Job");
        List<String> lines = List.of(out.split("\n"));
        assertEquals(5, lines.size(), out);
        assertEquals(List.of("started", "started", "started"), lines.subList(0, 3), out);
        assertTrue(lines.get(3).startsWith(TOO_MANY) && lines.get(4).startsWith(TOO_MANY), out);

        // the ended job's session stopped its own jobs; their slots come back once their threads have ended
        shell.run("Get-Job | Remove-Job");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String errors;
        do {
            shell.run("$k = 1..4 | ForEach-Object { Start-Job { 1 } }");
            errors = shell.errors();
            shell.run("Get-Job | Wait-Job | Remove-Job");
        } while (!errors.isEmpty() && System.nanoTime() < deadline);
        assertEquals("", errors, "four jobs start again");
    }

    private static void awaitJobThreads(int n) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (JobThreads.count() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(n, JobThreads.count(), "job threads running");
    }
}
