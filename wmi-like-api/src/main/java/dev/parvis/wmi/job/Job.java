package dev.parvis.wmi.job;

import dev.parvis.wmi.cim.ObjectPath;
import dev.parvis.wmi.cim.ReturnCode;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * One Msvm_ConcreteJob: what it does, for whom, and where it has got to. Its fields change only
 * through {@link JobTable}'s runner; readers get consistent {@link Snapshot}s.
 */
public final class Job {
    private final UUID id;
    private final int type;
    private final String description;
    private final Optional<ObjectPath> affected;
    private final String owner;
    private final boolean cancellable;
    private final Instant submitted;

    private JobState state = JobState.NEW;
    private int percent;
    private Instant started;
    private Instant finished;
    private ReturnCode error = ReturnCode.COMPLETED;
    private String errorDescription = "";
    private volatile boolean cancelRequested;

    Job(UUID id, int type, String description, Optional<ObjectPath> affected, String owner, boolean cancellable, Instant submitted) {
        this.id = id;
        this.type = type;
        this.description = description;
        this.affected = affected;
        this.owner = owner;
        this.cancellable = cancellable;
        this.submitted = submitted;
    }

    /** A consistent view of a job at one moment. */
    public record Snapshot(UUID id, int type, String description, Optional<ObjectPath> affected, String owner, boolean cancellable,
                           JobState state, int percentComplete, Instant timeSubmitted, Optional<Instant> startTime,
                           Duration elapsed, ReturnCode errorCode, String errorDescription) {
    }

    public UUID id() {
        return id;
    }

    public synchronized Snapshot snapshot(Instant now) {
        Duration elapsed = started == null ? Duration.ZERO : Duration.between(started, finished != null ? finished : now);
        return new Snapshot(id, type, description, affected, owner, cancellable, state, percent, submitted,
                Optional.ofNullable(started), elapsed, error, errorDescription);
    }

    synchronized void start(Instant now) {
        state = JobState.RUNNING;
        started = now;
    }

    synchronized void progress(int p) {
        if (!state.isFinal()) {
            percent = Math.max(percent, Math.min(99, Math.max(0, p)));
        }
    }

    synchronized void finish(JobState end, ReturnCode code, String text, Instant now) {
        state = end;
        if (end.equals(JobState.COMPLETED)) {
            percent = 100;
        }
        error = code;
        errorDescription = text;
        finished = now;
    }

    synchronized boolean isFinal() {
        return state.isFinal();
    }

    synchronized Optional<Instant> finishedAt() {
        return Optional.ofNullable(finished);
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    /** Asks the work to stop at its next safe point; false when the job cannot be cancelled or has ended. */
    public synchronized boolean requestCancel() {
        if (!cancellable || state.isFinal()) {
            return false;
        }
        cancelRequested = true;
        return true;
    }
}
