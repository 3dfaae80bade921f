package dev.parvis.wmi.job;

/** The body of a job, run on its own thread; an exception ends the job with an error. */
@FunctionalInterface
public interface JobWork {
    void run(JobControl control) throws Exception;
}
