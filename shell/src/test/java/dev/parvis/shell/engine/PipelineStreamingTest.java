package dev.parvis.shell.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.shell.ShellFixture;
import dev.parvis.shell.syntax.SourceText;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The pipeline streams: objects reach the end one at a time, early termination stops producers, Ctrl-C stops a run. */
class PipelineStreamingTest {
    @Test
    void selectFirstStopsAnEndlessProducerAfterWhatItNeeds() {
        ShellFixture shell = new ShellFixture();
        String out = shell.out("function Gen { $script:made = 0; while ($true) { $script:made++; $script:made } }\n"
                + "Gen | Select-Object -First 3\n\"made $script:made\"");
        assertEquals("1\n2\n3\nmade 3", out.replace("\r", ""));
    }

    @Test
    void objectsFlowThroughEachStageBeforeTheProducerMakesTheNext() {
        ShellFixture shell = new ShellFixture();
        String out = shell.out("$log = @(); 1..3 | ForEach-Object { $log += \"make $_\"; $_ } | ForEach-Object { $log += \"use $_\" }; $log -join ','");
        assertEquals("make 1,use 1,make 2,use 2,make 3,use 3", out);
    }

    @Test
    void stagesAfterTheStopStillFinish() {
        ShellFixture shell = new ShellFixture();
        assertEquals("3,2,1", shell.out("(1..1000000000 | Select-Object -First 3 | Sort-Object -Descending) -join ','"));
    }

    @Test
    void aRangeInAPipelineIsNotBuiltInMemory() {
        ShellFixture shell = new ShellFixture();
        assertEquals("1,2", shell.out("(1..2000000000 | Select-Object -First 2) -join ','"));
        assertTrue(shell.out("$r = 1..20000000").isEmpty());
        assertTrue(shell.errors().contains("the limit is"), shell.errors());
    }

    @Test
    void cancelStopsAnEndlessLoopAndTheSessionStaysUsable() throws Exception {
        ShellFixture shell = new ShellFixture();
        CompletableFuture<RunResult> run = CompletableFuture.supplyAsync(() -> shell.session.run(
                SourceText.interactive("$n = 0; while ($true) { $n++ }")));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!(shell.session.globalVariable("n") instanceof Number n && n.longValue() > 1000) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(shell.session.globalVariable("n") instanceof Number n && n.longValue() > 1000, "the loop was running");
        shell.session.cancel();
        RunResult r = run.get(20, TimeUnit.SECONDS);
        assertFalse(r.success());
        assertTrue(shell.errors().contains("The pipeline has been stopped."), shell.errors());
        assertEquals("ok", shell.out("'ok'"));
    }

    @Test
    void cancelInterruptsStartSleep() throws Exception {
        ShellFixture shell = new ShellFixture();
        CompletableFuture<RunResult> run = CompletableFuture.supplyAsync(() -> shell.session.run(
                SourceText.interactive("$started = $true; Start-Sleep -Seconds 600")));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!Boolean.TRUE.equals(shell.session.globalVariable("started")) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        shell.session.cancel();
        assertFalse(run.get(20, TimeUnit.SECONDS).success());
    }

    @Test
    void stepBudgetEndsARunawayScript() {
        ShellFixture shell = new ShellFixture(new BufferHost(), 10_000);
        RunResult r = shell.run("while ($true) { }");
        assertFalse(r.success());
        assertTrue(shell.errors().contains("evaluation limit of 10000 steps"), shell.errors());
    }

    @Test
    void deepRecursionIsACallDepthErrorNotACrash() {
        ShellFixture shell = new ShellFixture();
        shell.run("function Down($n) { Down ($n + 1) }; Down 0");
        assertTrue(shell.errors().contains("call depth overflow"), shell.errors());
        assertEquals("alive", shell.out("'alive'"));
    }
}
