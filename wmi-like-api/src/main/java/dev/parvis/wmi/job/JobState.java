package dev.parvis.wmi.job;

/** Msvm_ConcreteJob.JobState: an open value type with the published codes. */
public record JobState(int code) {
    public static final JobState NEW = new JobState(2);
    public static final JobState STARTING = new JobState(3);
    public static final JobState RUNNING = new JobState(4);
    public static final JobState COMPLETED = new JobState(7);
    public static final JobState TERMINATED = new JobState(8);
    public static final JobState KILLED = new JobState(9);
    public static final JobState EXCEPTION = new JobState(10);

    /** Completed, Terminated, Killed or Exception: the job will not change again. */
    public boolean isFinal() {
        return code >= 7 && code <= 10;
    }

    public String name() {
        return switch (code) {
            case 2 -> "New";
            case 3 -> "Starting";
            case 4 -> "Running";
            case 5 -> "Suspended";
            case 6 -> "Shutting Down";
            case 7 -> "Completed";
            case 8 -> "Terminated";
            case 9 -> "Killed";
            case 10 -> "Exception";
            case 11 -> "Service";
            default -> "JobState " + code;
        };
    }

    @Override
    public String toString() {
        return code + " (" + name() + ")";
    }
}
