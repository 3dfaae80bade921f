package dev.parvis.shell.jobs;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.engine.ShellSession;
import java.util.List;

/**
 * Start-Job: runs a script block in the background, in a session of its own (its variables are its
 * own; it reaches the same hosts), with -ArgumentList as $args. Its output, host text (JobHost) and
 * errors go to the job as the script writes them, so Receive-Job gets them while the job runs.
 */
final class StartJob implements CommandDefinition {
    private static final CommandSpec SPEC = CommandSpec.named("Start-Job")
            .synopsis("Runs a script block as a background job.")
            .description("Starts the script block in a separate session on a background thread and outputs the job at once; "
                    + "Receive-Job gets its output. The block sees -ArgumentList as $args, not the caller's variables.")
            .parameter(ParameterSpec.of("ScriptBlock", ParameterKind.SCRIPTBLOCK, "What the job runs.").at(0).required())
            .parameter(ParameterSpec.of("Name", ParameterKind.STRING, "A name for the job (default JobN)."))
            .parameter(ParameterSpec.of("ArgumentList", ParameterKind.OBJECT_ARRAY, "Values the block receives as $args."))
            .example("Start-Job { 2 + 2 } | Wait-Job | Receive-Job", "Outputs 4.")
            .module("Parvis.Jobs")
            .outputs(ShellJob.TYPE)
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters p, CommandContext ctx) {
        String text = p.scriptBlock("ScriptBlock").toString();
        List<Object> args = p.objects("ArgumentList");
        JobSessions sessions = ctx.service(JobSessions.class);
        return (input, record, out) -> {
            ShellJob job = ctx.service(ShellJobs.class).start(p.string("Name"), text.strip(), "localhost", o -> {
                JobHost host = new JobHost(o);
                try (ShellSession session = sessions.factory().apply(host)) {
                    o.onStop(session::close);
                    session.streamErrorsTo(o::error);
                    session.invoke(text, args, o::write);
                }
                host.flush();
            });
            out.write(job.object());
        };
    }
}
