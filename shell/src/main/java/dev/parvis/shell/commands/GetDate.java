package dev.parvis.shell.commands;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.runtime.FormatOperator;
import dev.parvis.shell.runtime.TypeConversion;
import java.time.LocalDateTime;

/** Get-Date: the current date and time (or -Date), optionally as text in a .NET format (-Format). */
public final class GetDate implements CommandDefinition {
    private static final CommandSpec SPEC = CommandSpec.named("Get-Date")
            .synopsis("Gets the current date and time.")
            .description("Outputs the current local date and time, or the -Date given; with -Format, the text of it in that "
                    + ".NET format (yyyy, MM, dd, HH, mm, ss, ...).")
            .parameter(ParameterSpec.of("Date", ParameterKind.OBJECT, "The date to use instead of now.").at(0))
            .parameter(ParameterSpec.of("Format", ParameterKind.STRING, "Outputs the date as text in this format.").alias("f"))
            .example("Get-Date -Format yyyyMMdd", "Today as 20261201.")
            .example("(Get-Date).AddDays(-7)", "The date a week ago.")
            .outputs("System.DateTime")
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters p, CommandContext ctx) {
        return (input, record, out) -> {
            LocalDateTime t = p.has("Date") ? (LocalDateTime) TypeConversion.convert(p.get("Date"), "System.DateTime") : LocalDateTime.now();
            out.write(p.has("Format") ? FormatOperator.formatValue(t, p.string("Format")) : t);
        };
    }
}
