package dev.parvis.wmi.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.root.vm.IllegalVmStateException;
import dev.parvis.root.vm.VmState;
import dev.parvis.wmi.cim.BusyException;
import dev.parvis.wmi.cim.ReturnCode;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class JobTableTest {
    private static final JobTable.Spec SPEC = new JobTable.Spec(JobType.START, "Start 'x'", Optional.empty(), "alice", false);

    private static Job.Snapshot awaitFinal(JobTable jobs, Job job) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Job.Snapshot s = jobs.snapshot(job);
            if (s.state().isFinal()) {
                return s;
            }
            Thread.sleep(2);
        }
        throw new AssertionError("job did not end: " + jobs.snapshot(job));
    }

    @Test
    void aJobReportsRealProgressThenCompletes() throws Exception {
        JobTable jobs = new JobTable();
        CountDownLatch atForty = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        Job job = jobs.submit(SPEC, c -> {
            c.progress(40);
            atForty.countDown();
            go.await();
            c.progress(30);
            c.progress(80);
        });
        assertTrue(atForty.await(5, TimeUnit.SECONDS));
        Job.Snapshot running = jobs.snapshot(job);
        assertEquals(JobState.RUNNING, running.state());
        assertEquals(40, running.percentComplete());
        assertTrue(running.startTime().isPresent());
        go.countDown();
        Job.Snapshot done = awaitFinal(jobs, job);
        assertEquals(JobState.COMPLETED, done.state());
        assertEquals(100, done.percentComplete());
        assertEquals(ReturnCode.COMPLETED, done.errorCode());
        assertEquals("alice", done.owner());
    }

    @Test
    void failuresCarryTheirWmiCodeAndDescription() throws Exception {
        JobTable jobs = new JobTable();
        Job state = jobs.submit(SPEC, c -> {
            throw new java.util.concurrent.ExecutionException(new IllegalVmStateException("x", VmState.RUNNING, "Start-VM"));
        });
        Job.Snapshot s = awaitFinal(jobs, state);
        assertEquals(JobState.EXCEPTION, s.state());
        assertEquals(ReturnCode.INVALID_STATE, s.errorCode());
        assertTrue(s.errorDescription().contains("Running"), s.errorDescription());
        Job other = jobs.submit(SPEC, c -> {
            throw new IllegalStateException("boom");
        });
        assertEquals(ReturnCode.FAILED, awaitFinal(jobs, other).errorCode());
    }

    @Test
    void onlyACancellableJobStopsAtItsNextSafePoint() throws Exception {
        JobTable jobs = new JobTable();
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Void> release = new CompletableFuture<>();
        Job job = jobs.submit(new JobTable.Spec(JobType.RESET, "Reset", Optional.empty(), "a", true), c -> {
            started.countDown();
            release.get();
            c.checkCancelled();
            throw new AssertionError("not cancelled");
        });
        assertTrue(started.await(5, TimeUnit.SECONDS));
        assertTrue(job.requestCancel());
        release.complete(null);
        assertEquals(JobState.TERMINATED, awaitFinal(jobs, job).state());
        assertFalse(job.requestCancel(), "an ended job cannot be cancelled");
        Job fixed = jobs.submit(SPEC, c -> release.get());
        assertFalse(fixed.requestCancel(), "a job that is not cancellable");
    }

    @Test
    void finishedJobsExpireAndAFullTableOfRunningJobsRefusesMore() throws Exception {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2024-01-01T00:00:00Z"));
        InstantSource clock = now::get;
        JobTable jobs = new JobTable(3, Duration.ofMinutes(10), clock);
        Job quick = jobs.submit(SPEC, c -> { });
        awaitFinal(jobs, quick);
        CompletableFuture<Void> block = new CompletableFuture<>();
        List<Job> running = new ArrayList<>();
        running.add(jobs.submit(SPEC, c -> block.get()));
        running.add(jobs.submit(SPEC, c -> block.get()));
        running.add(jobs.submit(SPEC, c -> block.get()));
        assertTrue(jobs.get(quick.id()).isEmpty(), "the finished job made room");
        assertThrows(BusyException.class, () -> jobs.submit(SPEC, c -> { }));
        block.complete(null);
        for (Job j : running) {
            awaitFinal(jobs, j);
        }
        now.set(now.get().plus(Duration.ofMinutes(11)));
        jobs.submit(SPEC, c -> { });
        assertEquals(1, jobs.snapshots().size(), "jobs past their retention are gone");
    }
}
