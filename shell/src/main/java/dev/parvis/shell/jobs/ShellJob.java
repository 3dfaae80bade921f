package dev.parvis.shell.jobs;

import dev.parvis.shell.runtime.EnumValue;
import dev.parvis.shell.runtime.ErrorRecord;
import dev.parvis.shell.runtime.PSObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A background job (-AsJob): runs on its own thread, keeps its output and errors until received,
 * and reports its state (Running, Completed, Failed) and progress. The object scripts hold reads
 * the state live. Output and errors are held as they are written, so Receive-Job gives what a
 * running job has produced so far; at most a bound of each not yet received is held (a job may write
 * forever), and what comes past it is dropped and counted, the counts reported as an error by the
 * next receive.
 */
public final class ShellJob {
    public static final String TYPE = "System.Management.Automation.PSRemotingJob";

    /** What a job's work writes to. */
    public interface Output {
        void write(Object value);

        void error(ErrorRecord error);

        void progress(int percent);

        /** True once Stop-Job, Remove-Job -Force or the session's end asked the job to stop. */
        boolean stopping();

        /**
         * Runs {@code stopper} when the job is asked to stop (at once if it already was): how work
         * that does not poll {@link #stopping()}, such as a Start-Job script's session, is stopped.
         */
        void onStop(Runnable stopper);
    }

    private final int id;
    private final String name;
    private final String command;
    private final String location;
    private final List<Object> output = new ArrayList<>();
    private final List<ErrorRecord> errors = new ArrayList<>();
    private final int maxHeld;
    /** Output objects and errors dropped since the last receive that took the results, for want of room. */
    private long droppedOutput;
    private long droppedErrors;
    /** The job wrote an error (it ends Failed), received or not. */
    private boolean wroteErrors;
    private volatile String state = "NotStarted";
    private volatile int percent;
    private volatile boolean stopping;
    private final List<Runnable> stoppers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final PSObject object;

    ShellJob(int id, String name, String command, String location, int maxHeld) {
        this.id = id;
        this.maxHeld = maxHeld;
        this.name = name == null || name.isBlank() ? "Job" + id : name;
        this.command = command;
        this.location = location;
        this.object = PSObject.of(TYPE, this.name).add("Id", id).add("Name", this.name).add("PSJobTypeName", "VMJob")
                .addLive("State", () -> new EnumValue("System.Management.Automation.JobState", state, code(state)))
                .addLive("HasMoreData", this::hasMoreData).add("Location", location).add("Command", command)
                .addLive("Progress", () -> percent);
        JobRegistryLink.link(object, this);
    }

    private static int code(String state) {
        return switch (state) {
            case "Running" -> 1;
            case "Completed" -> 2;
            case "Failed" -> 3;
            case "Stopped" -> 4;
            default -> 0;
        };
    }

    public int id() {
        return id;
    }

    public String name() {
        return name;
    }

    public String state() {
        return state;
    }

    public PSObject object() {
        return object;
    }

    public boolean finished() {
        return state.equals("Completed") || state.equals("Failed") || state.equals("Stopped");
    }

    synchronized boolean hasMoreData() {
        return !output.isEmpty() || !errors.isEmpty();
    }

    /**
     * Takes (or, with {@code keep}, copies) the output and errors gathered so far; when some were
     * dropped for want of room, an error saying how many comes last.
     */
    synchronized Results take(boolean keep) {
        List<ErrorRecord> taken = new ArrayList<>(errors);
        if (droppedOutput + droppedErrors > 0) {
            taken.add(new ErrorRecord("Job " + name + " dropped " + droppedOutput + " output objects and " + droppedErrors
                    + " errors, written while it held " + maxHeld + " of each not yet received. Receive its results more often (without -Keep).",
                    "RuntimeException", dev.parvis.shell.runtime.ErrorCategory.LIMITS_EXCEEDED, "JobOutputDropped", "Receive-Job", object, null));
        }
        // not List.copyOf: a job's output may hold nulls (Start-Job { $null }), which it refuses
        Results r = new Results(java.util.Collections.unmodifiableList(new ArrayList<>(output)), List.copyOf(taken));
        if (!keep) {
            output.clear();
            errors.clear();
            droppedOutput = 0;
            droppedErrors = 0;
        }
        return r;
    }

    /** Holds {@code value} for Receive-Job, or counts it dropped when {@link #maxHeld} objects are already held. */
    private synchronized void hold(Object value) {
        if (output.size() < maxHeld) {
            output.add(value);
        } else {
            droppedOutput++;
        }
    }

    private synchronized void holdError(ErrorRecord error) {
        wroteErrors = true;
        if (errors.size() < maxHeld) {
            errors.add(error);
        } else {
            droppedErrors++;
        }
    }

    private synchronized boolean wroteErrors() {
        return wroteErrors;
    }

    record Results(List<Object> output, List<ErrorRecord> errors) {
    }

    /** What the job's work writes to: this job's held results, progress and stop. */
    private final class JobOutput implements Output {
        @Override
        public void write(Object value) {
            hold(value);
        }

        @Override
        public void error(ErrorRecord error) {
            holdError(error);
        }

        @Override
        public void progress(int p) {
            percent = p;
        }

        @Override
        public boolean stopping() {
            return stopping;
        }

        @Override
        public void onStop(Runnable stopper) {
            stoppers.add(stopper);
            if (stopping) {
                stopper.run();
            }
        }
    }

    void run(java.util.function.Consumer<Output> work) {
        state = "Running";
        Output out = new JobOutput();
        try {
            work.accept(out);
            state = wroteErrors() ? "Failed" : "Completed";
        } catch (dev.parvis.shell.runtime.RuntimeError e) {
            out.error(e.record());
            state = "Failed";
        } catch (RuntimeException e) {
            // A stop ends the work with whatever its stopper throws (a stopped pipeline): not a failure to report.
            if (!stopping) {
                out.error(new ErrorRecord("The job failed: " + e, "RuntimeException", dev.parvis.shell.runtime.ErrorCategory.NOT_SPECIFIED,
                        "JobFailed", null, null, null));
            }
            state = "Failed";
        }
        if (stopping) {
            state = "Stopped";
        }
    }

    /** Asks the job to stop: its work sees {@code stopping()}, and what it registered with {@code onStop} runs. */
    void stop() {
        stopping = true;
        stoppers.forEach(Runnable::run);
    }
}
