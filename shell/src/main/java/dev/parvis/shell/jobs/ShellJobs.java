package dev.parvis.shell.jobs;

import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.RuntimeError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The session's background jobs, numbered from 1, each on a virtual thread: together they use at
 * most the carrier threads (a core each), so a thousand runaway jobs cannot crowd the host's own
 * platform threads (its VMs' processors) off the machine. A job that computes without blocking
 * ({@code while (1) { }}) gives up its carrier every few hundred evaluation steps (the
 * interpreter's {@code ExecutionBudget}), since virtual threads are not preempted: otherwise one
 * such job per core held every carrier and no other job, nor any virtual thread of the process
 * (the in-process host's management connections and WMI jobs among them), ran again. At most
 * {@value #MAX_JOBS} are kept in the whole tree of sessions an interactive session starts (its
 * jobs' sessions have jobs of their own, {@link #child()}, which share its {@link JobQuota}).
 */
public final class ShellJobs implements AutoCloseable {
    public static final int MAX_JOBS = 1000;
    /** Output objects a job holds until they are received; what it writes past them is dropped (ShellJob). */
    public static final int MAX_HELD_OUTPUT = 100_000;

    private final Map<Integer, ShellJob> jobs = new ConcurrentSkipListMap<>();
    private final Map<Integer, JobQuota.Slot> slots = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger(1);
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final JobQuota quota;
    private final int maxHeldOutput;

    /** The jobs of a tree's first session (the interactive one), at most {@value #MAX_JOBS} in the tree. */
    public ShellJobs() {
        this(MAX_JOBS);
    }

    /** The same with another bound (tests). */
    public ShellJobs(int maxJobs) {
        this(maxJobs, MAX_HELD_OUTPUT);
    }

    /** The same with other bounds on the jobs and on the output each holds until received (tests). */
    public ShellJobs(int maxJobs, int maxHeldOutput) {
        this(new JobQuota(maxJobs), maxHeldOutput);
    }

    private ShellJobs(JobQuota quota, int maxHeldOutput) {
        this.quota = quota;
        this.maxHeldOutput = maxHeldOutput;
    }

    /** The jobs of the session a job of this one runs in: a list of its own, counted in the same bounds. */
    public ShellJobs child() {
        return new ShellJobs(quota, maxHeldOutput);
    }

    /** Starts {@code work} as a job (named {@code name}, or JobN when null) running {@code command} on {@code location}. */
    public ShellJob start(String name, String command, String location, Consumer<ShellJob.Output> work) {
        JobQuota.Slot slot = quota.take();
        ShellJob job = new ShellJob(next.getAndIncrement(), name, command, location, maxHeldOutput);
        jobs.put(job.id(), job);
        slots.put(job.id(), slot);
        try {
            threads.execute(() -> {
                try {
                    job.run(work);
                } finally {
                    slot.ended();
                }
            });
        } catch (RejectedExecutionException e) {
            remove(job);
            slot.ended();
            throw new RuntimeError("The session that owns the jobs has ended; no job can start.", ErrorCategory.INVALID_OPERATION, "JobsClosed");
        }
        return job;
    }

    public List<ShellJob> all() {
        return new ArrayList<>(jobs.values());
    }

    void remove(ShellJob job) {
        jobs.remove(job.id());
        JobQuota.Slot slot = slots.remove(job.id());
        if (slot != null) {
            slot.left();
        }
    }

    static ShellJob of(Object o) {
        return JobRegistryLink.jobOf(o);
    }

    /**
     * Stops every job (jobs belong to their session and end with it, as in PowerShell); does not
     * wait for them to finish, but their slots in the tree's bound come back only when they have.
     * No job can start afterwards.
     */
    @Override
    public void close() {
        jobs.values().forEach(ShellJob::stop);
        threads.shutdown();
        slots.values().forEach(JobQuota.Slot::left);
    }
}
