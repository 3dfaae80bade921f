package dev.parvis.shell.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.shell.JobThreads;
import dev.parvis.shell.ShellFixture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Jobs that compute without ever blocking take their share of the cores, not all of them: with one
 * such job per core (and one more) running, another job still runs to its end. Jobs run on virtual
 * threads, which are not preempted: before the interpreter gave up its carrier between steps, the
 * spinning jobs held every carrier and the last ones never started.
 */
class JobFairnessTest {

    @Test
    void aJobRunsToItsEndBesideMoreSpinningJobsThanCores() throws Exception {
        try (ShellJobs jobs = new ShellJobs()) {
            ShellFixture shell = new ShellFixture(jobs);
            try {
                spinAndRunOneMore(shell, Runtime.getRuntime().availableProcessors() + 1);
            } finally {
                shell.session.close();
            }
        }
        assertEquals(0, JobThreads.awaitNone(TimeUnit.SECONDS.toNanos(30)), "job threads still running");
    }

    private static void spinAndRunOneMore(ShellFixture shell, int spinners) throws Exception {
        shell.run("$spin = 1.." + spinners + " | ForEach-Object { Start-Job { $i = 0; while (1) { $i++ } } }");
        // Proof that they run: every one of them is on a thread inside its script.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (JobThreads.count() < spinners && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(spinners, JobThreads.count(), "spinning jobs running");
        String out = shell.out("Start-Job { 'done ' + (1 + 1) } | Wait-Job -Timeout 60 | Receive-Job");
        assertEquals("done 2", out.strip(), "the job beside the spinning ones; errors: " + shell.errors());
        shell.run("$spin | Stop-Job");
        String states = shell.out("$spin | ForEach-Object { $_.State }");
        assertTrue(states.lines().allMatch(s -> s.equals("Stopped")), states);
    }
}
