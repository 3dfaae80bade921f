package dev.parvis.shell.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** The session's background jobs, numbered from 1, each on a virtual thread; at most {@value #MAX_JOBS} kept. */
public final class ShellJobs implements AutoCloseable {
    public static final int MAX_JOBS = 1000;

    private final Map<Integer, ShellJob> jobs = new ConcurrentSkipListMap<>();
    private final AtomicInteger next = new AtomicInteger(1);
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    /** Starts {@code work} as a job (named {@code name}, or JobN when null) running {@code command} on {@code location}. */
    public ShellJob start(String name, String command, String location, Consumer<ShellJob.Output> work) {
        if (jobs.size() >= MAX_JOBS) {
            throw new dev.parvis.shell.runtime.RuntimeError("The session has " + MAX_JOBS + " jobs; remove finished ones with Remove-Job.",
                    dev.parvis.shell.runtime.ErrorCategory.LIMITS_EXCEEDED, "TooManyJobs");
        }
        ShellJob job = new ShellJob(next.getAndIncrement(), name, command, location);
        jobs.put(job.id(), job);
        try {
            threads.execute(() -> job.run(work));
        } catch (RejectedExecutionException e) {
            jobs.remove(job.id());
            throw new dev.parvis.shell.runtime.RuntimeError("The session that owns the jobs has ended; no job can start.",
                    dev.parvis.shell.runtime.ErrorCategory.INVALID_OPERATION, "JobsClosed");
        }
        return job;
    }

    public List<ShellJob> all() {
        return new ArrayList<>(jobs.values());
    }

    void remove(ShellJob job) {
        jobs.remove(job.id());
    }

    static ShellJob of(Object o) {
        return JobRegistryLink.jobOf(o);
    }

    /**
     * Stops every job (jobs belong to their session and end with it, as in PowerShell); does not
     * wait for them to finish. No job can start afterwards.
     */
    @Override
    public void close() {
        jobs.values().forEach(ShellJob::stop);
        threads.shutdown();
    }
}
