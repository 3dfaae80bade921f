package dev.parvis.shell.hyperv;

import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.Pipe;
import dev.parvis.shell.jobs.ShellJob;
import dev.parvis.shell.jobs.ShellJobs;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.RuntimeError;
import java.util.function.IntConsumer;

/**
 * Runs a Hyper-V command's work for one VM, in the foreground (a progress bar, Ctrl-C stops the
 * wait, a failure is a non-terminating error naming the VM) or as a background job (-AsJob: the job
 * object is output at once; the work's output and errors go to the job).
 */
final class VmWork {
    /** The work: its progress reporter, Ctrl-C/stop check, and where its output goes. */
    interface Body {
        void run(IntConsumer progress, Runnable checkpoint, Pipe out);
    }

    private VmWork() {
    }

    static void run(CommandContext ctx, boolean asJob, String activity, String vmName, String location, Body body, Pipe out) {
        if (asJob) {
            ShellJob job = ctx.service(ShellJobs.class).start(null, activity, location, o -> body.run(o::progress, () -> {
                if (o.stopping()) {
                    throw new RuntimeError("The job was stopped.", ErrorCategory.OPERATION_STOPPED, "JobStopped");
                }
            }, o::write));
            out.write(job.object());
            return;
        }
        try {
            body.run(p -> ctx.progress(activity, vmName, p, false), ctx::checkpoint, out);
        } catch (RuntimeError e) {
            ctx.writeError(e.record());
        } finally {
            ctx.progress(activity, vmName, 100, true);
        }
    }
}
