package dev.parvis.shell.commands;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.runtime.Conversions;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.ErrorRecord;
import dev.parvis.shell.runtime.RuntimeError;

/** Write-Error: reports a non-terminating error (stops the script only under -ErrorAction Stop). */
public final class WriteError implements CommandDefinition {
    private static final CommandSpec SPEC = CommandSpec.named("Write-Error")
            .synopsis("Reports a non-terminating error.")
            .description("Adds an error to $Error and shows it; the script goes on unless the error action is Stop. $? is false afterwards.")
            .parameter(ParameterSpec.of("Message", ParameterKind.OBJECT, "The error message.").at(0).required().remainingArguments())
            .parameter(ParameterSpec.of("Category", ParameterKind.CHOICE, "The error category.").choices(categories()))
            .parameter(ParameterSpec.of("ErrorId", ParameterKind.STRING, "An identifier for the error."))
            .parameter(ParameterSpec.of("TargetObject", ParameterKind.OBJECT, "The object the error is about."))
            .example("Write-Error 'disk not found' -ErrorAction SilentlyContinue; $Error[0].Exception.Message", "Records the error quietly; outputs 'disk not found'.")
            .build();

    private static String[] categories() {
        return java.util.Arrays.stream(ErrorCategory.values()).map(ErrorCategory::displayName).toArray(String[]::new);
    }

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters p, CommandContext ctx) {
        return (input, record, out) -> {
            String message = Conversions.toDisplayString(p.get("Message"));
            if (message.isEmpty()) {
                // as PowerShell's mandatory string parameter: an error record always has something to say
                throw RuntimeError.of("ParameterBindingException", "Cannot bind argument to parameter 'Message' because it is an empty string.",
                        ErrorCategory.INVALID_DATA, "ParameterArgumentValidationErrorEmptyStringNotAllowed", null);
            }
            ErrorCategory category = java.util.Arrays.stream(ErrorCategory.values())
                    .filter(c -> c.displayName().equalsIgnoreCase(p.string("Category", ""))).findFirst().orElse(ErrorCategory.NOT_SPECIFIED);
            ctx.writeError(new ErrorRecord(message, "WriteErrorException", category, p.string("ErrorId", "Microsoft.PowerShell.Commands.WriteErrorException"),
                    ctx.commandName(), p.get("TargetObject"), null));
        };
    }
}
