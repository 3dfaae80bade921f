package dev.parvis.shell.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.shell.JobThreads;
import dev.parvis.shell.ShellFixture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Receive-Job as PowerShell documents it: it gets the results a job has produced by the time it
 * runs, while the job still runs; without -Keep they are then gone, so the next Receive-Job gets
 * only newer ones. A job that writes forever holds a bounded amount of output until it is received.
 */
class JobOutputTest {
    private static final int HELD = 50;
    private final ShellFixture shell = new ShellFixture();
    private final ShellJobs boundedJobs = new ShellJobs(ShellJobs.MAX_JOBS, HELD);
    private final ShellFixture bounded = new ShellFixture(boundedJobs);

    @AfterEach
    void stopJobs() throws Exception {
        shell.session.close();
        boundedJobs.close();
        assertEquals(0, JobThreads.awaitNone(TimeUnit.SECONDS.toNanos(30)), "job threads still running");
    }

    @Test
    void receiveJobGivesWhatARunningJobHasWrittenSoFar() throws InterruptedException {
        ShellJob job = start(shell, "$j = Start-Job { 1; 2; while (1) { } }");
        awaitHeld(job, r -> r.output().size() == 2);
        assertEquals("1|2|Running", shell.out("Receive-Job $j -Keep; $j.State").replace("\n", "|"));
        assertEquals("1|2", shell.out("Receive-Job $j -Keep").replace("\n", "|"), "-Keep leaves the results");
        assertEquals("1|2", shell.out("Receive-Job $j").replace("\n", "|"));
        assertEquals("0|Running", shell.out("@(Receive-Job $j).Count; $j.State").replace("\n", "|"), "received results are gone");
        assertEquals("", shell.errors());
    }

    @Test
    void eachReceiveGivesOnlyTheOutputWrittenSinceTheLast() throws InterruptedException {
        ShellJob job = start(shell, "$j = Start-Job { $i = 0; while (1) { $i++; $i; Start-Sleep -Milliseconds 1 } }");
        awaitHeld(job, r -> !r.output().isEmpty());
        shell.run("$a = @(Receive-Job $j)");
        awaitHeld(job, r -> !r.output().isEmpty());
        assertEquals("True|True", shell.out("$b = @(Receive-Job $j); $a[0] -eq 1; $b[0] -eq $a[-1] + 1").replace("\n", "|"));
        assertEquals("", shell.errors());
    }

    @Test
    void aJobThatWritesForeverHoldsABoundedOutputAndSaysWhatItDropped() throws InterruptedException {
        ShellJob job = start(bounded, "$j = Start-Job { $i = 0; while (1) { $i++; $i } }");
        awaitHeld(job, r -> !r.errors().isEmpty());
        assertEquals(HELD, job.take(true).output().size());
        assertEquals(HELD + "|1|" + HELD, bounded.out("$r = Receive-Job $j; $r.Count; $r[0]; $r[-1]").replace("\n", "|"));
        assertTrue(bounded.errors().contains("output objects and 0 errors, written while it held " + HELD + " of each not yet received"),
                bounded.errors());
        awaitHeld(job, r -> !r.output().isEmpty());
        assertEquals("True", bounded.out("(Receive-Job $j)[0] -gt " + HELD), "after a receive, newer output is held again");
    }

    @Test
    void errorsAndHostTextReachTheJobAsTheyAreWritten() throws InterruptedException {
        ShellJob job = start(shell, "$j = Start-Job { Write-Error 'first'; Write-Host 'one'; Write-Host 'two'; 3; while (1) { } }");
        awaitHeld(job, r -> r.errors().size() == 1 && r.output().size() == 3);
        assertEquals("one|two|3|Running", shell.out("Receive-Job $j; $j.State").replace("\n", "|"));
        assertTrue(shell.errors().contains("first"), shell.errors());
        assertEquals("", shell.out("Receive-Job $j"));
    }

    @Test
    void aHostLineLongerThanTheBoundReachesTheJobInPieces() {
        assertEquals("65536,65536,18928", shell.out("(Start-Job { Write-Host ('x' * 150000) -NoNewline } | Wait-Job | Receive-Job "
                + "| ForEach-Object { $_.Length }) -join ','"));
        assertEquals("", shell.errors());
    }

    @Test
    void aJobThatWritesErrorsAndHostTextForeverHoldsABoundedAmountOfThem() throws InterruptedException {
        ShellJob job = start(bounded, "$j = Start-Job { while (1) { Write-Error 'e'; Write-Host 'h' } }");
        awaitHeld(job, r -> r.errors().size() == HELD + 1);
        assertEquals(HELD, job.take(true).output().size());
        assertEquals(HELD, bounded.out("Receive-Job $j").split("\n").length);
        assertTrue(bounded.errors().contains("output objects and ") && bounded.errors().contains(" errors, written while it held " + HELD
                + " of each not yet received"), bounded.errors());
    }

    private static ShellJob start(ShellFixture in, String script) {
        in.run(script);
        assertEquals("", in.errors());
        return in.session.service(ShellJobs.class).all().getFirst();
    }

    /** Waits until what {@code job} holds (looked at with -Keep) passes {@code until}. */
    private static void awaitHeld(ShellJob job, Predicate<ShellJob.Results> until) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!until.test(job.take(true)) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        ShellJob.Results held = job.take(true);
        assertTrue(until.test(held), "not in time: the job holds " + held.output().size() + " objects and " + held.errors().size()
                + " errors, " + job.state());
    }
}
