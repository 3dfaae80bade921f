package dev.parvis.wmi.job;

import dev.parvis.wmi.cim.BusyException;
import dev.parvis.wmi.cim.ObjectPath;
import dev.parvis.wmi.cim.ReturnCode;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's jobs. Each runs on its own virtual thread (job work mostly waits for a VM worker or a
 * guest); at most {@code capacity} jobs exist at once: finished jobs are kept for {@code retention}
 * so clients can read their outcome, and the oldest finished ones make room first; when every slot
 * holds a running job a new one is refused with {@link BusyException}.
 */
public final class JobTable {
    private static final Logger LOG = LoggerFactory.getLogger(JobTable.class);
    public static final int DEFAULT_CAPACITY = 1000;
    public static final Duration DEFAULT_RETENTION = Duration.ofMinutes(10);

    private final Map<UUID, Job> jobs = new ConcurrentHashMap<>();
    private final int capacity;
    private final Duration retention;
    private final InstantSource clock;
    private volatile Consumer<Job> listener = j -> { };

    public JobTable() {
        this(DEFAULT_CAPACITY, DEFAULT_RETENTION, InstantSource.system());
    }

    public JobTable(int capacity, Duration retention, InstantSource clock) {
        this.capacity = capacity;
        this.retention = retention;
        this.clock = clock;
    }

    /** Called (on the job's thread) whenever a job changes state or progress. */
    public void onChange(Consumer<Job> listener) {
        this.listener = listener;
    }

    /** What a new job is. */
    public record Spec(int type, String description, Optional<ObjectPath> affected, String owner, boolean cancellable) {
    }

    /** Registers a job and starts its work; the job is Running when this returns. */
    public Job submit(Spec spec, JobWork work) {
        Job job;
        synchronized (this) {
            makeRoom();
            job = new Job(UUID.randomUUID(), spec.type(), spec.description(), spec.affected(), spec.owner(), spec.cancellable(),
                    clock.instant());
            jobs.put(job.id(), job);
            job.start(clock.instant());
        }
        Job started = job;
        Thread.ofVirtual().name("parvis-job-" + job.id()).start(() -> run(started, work));
        return job;
    }

    public Optional<Job> get(UUID id) {
        return Optional.ofNullable(jobs.get(id));
    }

    /** Every job, oldest first. */
    public List<Job.Snapshot> snapshots() {
        var now = clock.instant();
        return jobs.values().stream().map(j -> j.snapshot(now)).sorted(Comparator.comparing(Job.Snapshot::timeSubmitted)).toList();
    }

    public Job.Snapshot snapshot(Job job) {
        return job.snapshot(clock.instant());
    }

    private void makeRoom() {
        var now = clock.instant();
        jobs.values().removeIf(j -> j.finishedAt().map(f -> f.plus(retention).isBefore(now)).orElse(false));
        while (jobs.size() >= capacity) {
            Optional<Job> oldest = jobs.values().stream().filter(Job::isFinal)
                    .min(Comparator.comparing(j -> j.finishedAt().orElseThrow()));
            if (oldest.isEmpty()) {
                throw new BusyException("the host already runs " + capacity + " jobs");
            }
            jobs.remove(oldest.get().id());
        }
    }

    private void run(Job job, JobWork work) {
        JobControl control = new JobControl() {
            @Override
            public void progress(int percent) {
                job.progress(percent);
                notifyListener(job);
            }

            @Override
            public void checkCancelled() {
                if (job.cancelRequested()) {
                    throw new CancellationException("the job was cancelled");
                }
            }
        };
        notifyListener(job);
        try {
            work.run(control);
            job.finish(JobState.COMPLETED, ReturnCode.COMPLETED, "", clock.instant());
        } catch (CancellationException e) {
            job.finish(JobState.TERMINATED, ReturnCode.COMPLETED, "cancelled on request", clock.instant());
        } catch (Throwable e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            ReturnCode code = ErrorCodes.of(cause);
            String text = cause.getMessage() != null ? cause.getMessage() : cause.toString();
            job.finish(JobState.EXCEPTION, code, text, clock.instant());
            LOG.info("job {} ({}) failed: {} {}", job.id(), job.snapshot(clock.instant()).description(), code, text);
        }
        notifyListener(job);
    }

    private void notifyListener(Job job) {
        try {
            listener.accept(job);
        } catch (RuntimeException e) {
            LOG.warn("job listener failed: {}", e.toString());
        }
    }
}
