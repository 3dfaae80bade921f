package dev.parvis.wmi.job;

import java.util.concurrent.CancellationException;

/** What running work sees of its job: report progress, and stop at a safe point when cancelled. */
public interface JobControl {
    /** Percent complete so far, 0..100; lower values than already reported are ignored. */
    void progress(int percent);

    /** Throws {@link CancellationException} when the job was asked to terminate (call between steps). */
    void checkCancelled();
}
