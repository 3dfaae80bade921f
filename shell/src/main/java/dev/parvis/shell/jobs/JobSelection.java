package dev.parvis.shell.jobs;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.command.PipelineInput;
import dev.parvis.shell.runtime.Conversions;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.Wildcard;
import java.util.ArrayList;
import java.util.List;

/** Which jobs a job command means: piped job objects, -Id, -Name, or all of them. */
final class JobSelection {
    static final ParameterSpec JOB = ParameterSpec.of("Job", ParameterKind.OBJECT_ARRAY, "Job objects (from Get-Job or -AsJob).")
            .at(0).fromPipeline(PipelineInput.BY_VALUE);
    static final ParameterSpec ID = ParameterSpec.of("Id", ParameterKind.OBJECT_ARRAY, "Job numbers.");
    static final ParameterSpec NAME = ParameterSpec.of("Name", ParameterKind.STRING_ARRAY, "Job names (wildcards allowed).");

    private JobSelection() {
    }

    static List<ShellJob> select(BoundParameters p, CommandContext ctx) {
        ShellJobs jobs = ctx.service(ShellJobs.class);
        List<ShellJob> out = new ArrayList<>();
        for (Object o : p.objects("Job")) {
            ShellJob j = ShellJobs.of(o);
            if (j == null) {
                ctx.writeError("'" + Conversions.toShortString(o) + "' is not a job.", ErrorCategory.INVALID_ARGUMENT, "NotAJob", o);
            } else {
                out.add(j);
            }
        }
        for (Object id : p.objects("Id")) {
            int n = Conversions.toInt(id);
            jobs.all().stream().filter(j -> j.id() == n).findFirst().ifPresentOrElse(out::add, () -> ctx.writeError(
                    "Cannot find the job with the job id " + n + ".", ErrorCategory.OBJECT_NOT_FOUND, "JobWithSpecifiedIdNotFound", n));
        }
        for (String name : p.strings("Name")) {
            jobs.all().stream().filter(j -> Wildcard.matches(name, j.name(), false)).forEach(out::add);
        }
        if (!p.has("Job") && !p.has("Id") && !p.has("Name")) {
            out.addAll(jobs.all());
        }
        return out;
    }
}
