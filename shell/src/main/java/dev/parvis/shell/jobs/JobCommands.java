package dev.parvis.shell.jobs;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.command.Pipe;
import dev.parvis.shell.format.Column;
import dev.parvis.shell.format.FormatViews;
import dev.parvis.shell.format.TableView;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.RuntimeError;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/** Get-Job, Wait-Job, Receive-Job, Stop-Job and Remove-Job over the session's background jobs. */
public final class JobCommands {
    private static final String EXAMPLE_PREFIX = "$j = Start-Job -Name demo { 1..3 }; ";

    private JobCommands() {
    }

    public static List<CommandDefinition> all() {
        return List.of(getJob(), waitJob(), receiveJob(), stopJob(), removeJob(), new StartJob());
    }

    public static void registerViews(FormatViews views) {
        views.register(new TableView(ShellJob.TYPE, List.of(Column.property("Id"), Column.property("Name"), Column.property("PSJobTypeName"),
                Column.property("State"), Column.property("HasMoreData"), Column.property("Location"), Column.property("Command"))));
    }

    /** A job command: its spec and what it does with the selected jobs at the end of the pipeline. */
    private record JobCommand(CommandSpec spec, BiConsumer<Selected, Pipe> action) implements CommandDefinition {
        @Override
        public CommandProcessor create(BoundParameters parameters, CommandContext context) {
            List<ShellJob> jobs = new ArrayList<>();
            return new CommandProcessor() {
                @Override
                public void process(Object input, BoundParameters p, Pipe out) {
                    jobs.addAll(JobSelection.select(p, context));
                }

                @Override
                public void end(Pipe out) {
                    action.accept(new Selected(jobs.stream().distinct().toList(), parameters, context), out);
                }
            };
        }
    }

    private record Selected(List<ShellJob> jobs, BoundParameters parameters, CommandContext ctx) {
    }

    private static CommandSpec.Builder spec(String name, String synopsis, String description) {
        return CommandSpec.named(name).synopsis(synopsis).description(description).module("Parvis.Jobs")
                .parameter(JobSelection.JOB).parameter(JobSelection.ID).parameter(JobSelection.NAME);
    }

    private static CommandDefinition getJob() {
        return new JobCommand(spec("Get-Job", "Lists the session's background jobs.",
                "Outputs the jobs started with -AsJob or Start-Job: Id, Name, State (Running, Completed, Failed, Stopped), HasMoreData, Location, Command.")
                .example(EXAMPLE_PREFIX + "Get-Job -Id $j.Id", "Shows the job just started.")
                .outputs(ShellJob.TYPE).build(), (s, out) -> s.jobs().forEach(j -> out.write(j.object())));
    }

    private static CommandDefinition waitJob() {
        return new JobCommand(spec("Wait-Job", "Waits for background jobs to finish.",
                "Waits until every selected job has finished (or -Timeout seconds have passed), then outputs the jobs. Ctrl-C stops the wait, not the jobs.")
                .parameter(ParameterSpec.of("Timeout", ParameterKind.INT, "Stop waiting after this many seconds (-1: no limit)."))
                .example(EXAMPLE_PREFIX + "$j | Wait-Job", "Waits for the job, then shows it Completed.")
                .outputs(ShellJob.TYPE).build(), (s, out) -> {
                    waitFor(s.jobs(), s.parameters().integer("Timeout", -1), s.ctx());
                    s.jobs().stream().filter(ShellJob::finished).forEach(j -> out.write(j.object()));
                });
    }

    private static CommandDefinition receiveJob() {
        return new JobCommand(spec("Receive-Job", "Gets the output of background jobs.",
                "Outputs what the jobs have produced so far and reports their errors; the results are then gone unless -Keep. "
                        + "-Wait waits for the jobs to finish first. A job holds at most " + ShellJobs.MAX_HELD_OUTPUT
                        + " output objects not yet received; what it writes past them is dropped, and the next Receive-Job says how many.")
                .parameter(ParameterSpec.of("Keep", ParameterKind.SWITCH, "Keeps the results for a later Receive-Job."))
                .parameter(ParameterSpec.of("Wait", ParameterKind.SWITCH, "Waits for the jobs to finish first."))
                .example(EXAMPLE_PREFIX + "Receive-Job $j -Wait", "Outputs 1, 2, 3.")
                .outputs("System.Object").build(), (s, out) -> {
                    if (s.parameters().flag("Wait")) {
                        waitFor(s.jobs(), -1, s.ctx());
                    }
                    for (ShellJob j : s.jobs()) {
                        ShellJob.Results r = j.take(s.parameters().flag("Keep"));
                        r.output().forEach(out::write);
                        r.errors().forEach(s.ctx()::writeError);
                    }
                });
    }

    private static CommandDefinition stopJob() {
        return new JobCommand(spec("Stop-Job", "Stops background jobs.",
                "Asks each selected running job to stop and waits until it has (Ctrl-C stops the wait); the job stays in the session, "
                        + "Stopped, with what it produced until then. A finished job is left as it is.")
                .parameter(ParameterSpec.of("PassThru", ParameterKind.SWITCH, "Outputs the jobs."))
                .example("$j = Start-Job -Name demo { while ($true) { } }; Stop-Job $j; $j.State", "Outputs Stopped.")
                .changesState().outputs(ShellJob.TYPE).build(), (s, out) -> {
                    List<ShellJob> stopping = s.jobs().stream().filter(j -> !j.finished() && s.ctx().shouldProcess(j.name(), "Stop-Job")).toList();
                    stopping.forEach(ShellJob::stop);
                    waitFor(stopping, -1, s.ctx());
                    if (s.parameters().flag("PassThru")) {
                        s.jobs().forEach(j -> out.write(j.object()));
                    }
                });
    }

    private static CommandDefinition removeJob() {
        return new JobCommand(spec("Remove-Job", "Deletes background jobs.",
                "Removes finished jobs from the session; a running job is removed only with -Force (which asks it to stop).")
                .parameter(ParameterSpec.of("Force", ParameterKind.SWITCH, "Also removes running jobs."))
                .example(EXAMPLE_PREFIX + "$j | Wait-Job | Remove-Job", "Waits for the job and removes it.")
                .changesState().build(), (s, out) -> {
                    ShellJobs all = s.ctx().service(ShellJobs.class);
                    for (ShellJob j : s.jobs()) {
                        if (!j.finished() && !s.parameters().flag("Force")) {
                            s.ctx().writeError("The job " + j.name() + " cannot be removed because it is still running; use -Force.",
                                    ErrorCategory.INVALID_OPERATION, "JobStillRunning", j.object());
                        } else if (s.ctx().shouldProcess(j.name(), "Remove-Job")) {
                            j.stop();
                            all.remove(j);
                        }
                    }
                });
    }

    static void waitFor(List<ShellJob> jobs, int timeoutSeconds, CommandContext ctx) {
        long deadline = timeoutSeconds < 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (jobs.stream().anyMatch(j -> !j.finished()) && System.nanoTime() < deadline) {
            ctx.checkpoint();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ctx.checkpoint();
                throw new RuntimeError("Interrupted while waiting for jobs.", ErrorCategory.OPERATION_STOPPED, "Interrupted");
            }
        }
    }
}
