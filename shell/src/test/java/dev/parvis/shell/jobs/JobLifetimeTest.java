package dev.parvis.shell.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.shell.JobThreads;
import dev.parvis.shell.ShellFixture;
import dev.parvis.shell.runtime.RuntimeError;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A background job belongs to the session that started it (about_Jobs: when the parent session ends,
 * its jobs end): closing the session, Stop-Job or Remove-Job -Force stops a Start-Job script that
 * would otherwise run forever, and the stop is not reported as the job's failure.
 */
class JobLifetimeTest {
    private final ShellFixture shell = new ShellFixture();

    @Test
    void aJobWithoutANameIsNamedForItsId() {
        assertEquals("Job1 web", shell.out("$a = Start-Job { 1 }; $b = Start-Job -Name web { 2 }; $a, $b | Wait-Job | Out-Null; "
                + "\"$($a.Name) $($b.Name)\""));
    }

    @Test
    void closingTheSessionStopsItsEndlessJob() throws InterruptedException {
        ShellJob job = startEndlessJob();
        shell.session.close();
        awaitState(job, "Stopped");
        assertEquals(List.of(), job.take(true).errors(), "a stop is not a failure");
    }

    @Test
    void removeJobForceStopsAnEndlessJob() throws InterruptedException {
        ShellJob job = startEndlessJob();
        shell.run("Get-Job | Remove-Job -Force");
        assertEquals("", shell.errors());
        awaitState(job, "Stopped");
        assertEquals(List.of(), shell.session.service(ShellJobs.class).all());
    }

    @Test
    void stopJobStopsAnEndlessJobBeforeItReturnsAndKeepsItInTheSession() throws InterruptedException {
        ShellJob job = startEndlessJob();
        assertEquals("Stopped", shell.out("Stop-Job $j; $j.State"));
        assertEquals("", shell.errors());
        assertEquals(List.of(job), shell.session.service(ShellJobs.class).all());
        assertEquals(List.of(), job.take(true).errors(), "a stop is not a failure");
        assertEquals("Completed", shell.out("$d = Start-Job { 1 } | Wait-Job; Stop-Job $d; $d.State"), "a finished job is left as it is");
    }

    @Test
    void stoppingAJobStopsTheJobsItsScriptStarted() throws Exception {
        shell.run("$j = Start-Job { Start-Job { while (1) { } }; while (1) { } }");
        ShellJob job = shell.session.service(ShellJobs.class).all().getFirst();
        awaitState(job, "Running");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (JobThreads.count() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(2, JobThreads.count(), "the job and the job it started run");
        shell.run("Stop-Job $j");
        assertEquals(0, JobThreads.awaitNone(TimeUnit.SECONDS.toNanos(30)), "job threads still running");
    }

    @Test
    void receiveJobGivesANullTheJobWrote() {
        assertEquals("2 True 1", shell.out("$r = Start-Job { $null; 1 } | Wait-Job | Receive-Job; \"$($r.Count) $($null -eq $r[0]) $($r[1])\""));
        assertEquals("", shell.errors());
    }

    @Test
    void aClosedSessionRunsNothingMore() {
        shell.session.close();
        assertEquals("", shell.out("'ran'"));
        assertTrue(shell.errors().contains("The pipeline has been stopped."), shell.errors());
        shell.run("Start-Job { 1 }");
        assertEquals(List.of(), shell.session.service(ShellJobs.class).all(), "no job started");
    }

    @Test
    void closedJobsStartNoMore() {
        ShellJobs jobs = new ShellJobs();
        jobs.close();
        RuntimeError e = assertThrows(RuntimeError.class, () -> jobs.start(null, "1", "localhost", o -> { }));
        assertTrue(e.getMessage().contains("no job can start"), e.getMessage());
        assertEquals(List.of(), jobs.all());
    }

    /** Starts {@code Start-Job { while (1) {} }} and waits until it runs. */
    private ShellJob startEndlessJob() throws InterruptedException {
        shell.run("$j = Start-Job { while (1) { } }");
        assertEquals("", shell.errors());
        ShellJob job = shell.session.service(ShellJobs.class).all().getFirst();
        awaitState(job, "Running");
        return job;
    }

    private static void awaitState(ShellJob job, String state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!job.state().equals(state) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(state, job.state(), "the job's state");
    }
}
