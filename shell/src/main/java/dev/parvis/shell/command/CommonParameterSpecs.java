package dev.parvis.shell.command;

import java.util.List;

/**
 * The parameters every command takes without declaring them: -ErrorAction and -WarningAction, and
 * for commands that change state -WhatIf and -Confirm. The engine binds them; help lists them.
 */
public final class CommonParameterSpecs {
    public static final List<String> ACTIONS = List.of("Continue", "SilentlyContinue", "Stop", "Ignore");
    public static final ParameterSpec ERROR_ACTION = ParameterSpec.of("ErrorAction", ParameterKind.CHOICE,
            "What to do on a non-terminating error.").alias("EA").choices(ACTIONS.toArray(String[]::new));
    public static final ParameterSpec WARNING_ACTION = ParameterSpec.of("WarningAction", ParameterKind.CHOICE,
            "What to do with warnings.").alias("WA").choices(ACTIONS.toArray(String[]::new));
    public static final ParameterSpec WHAT_IF = ParameterSpec.of("WhatIf", ParameterKind.SWITCH,
            "Shows what would happen if the command ran. The command is not run.").alias("wi");
    public static final ParameterSpec CONFIRM = ParameterSpec.of("Confirm", ParameterKind.SWITCH,
            "Asks for confirmation before running the command.").alias("cf");

    private CommonParameterSpecs() {
    }

    public static List<ParameterSpec> forCommand(CommandSpec spec) {
        return spec.changesState() ? List.of(ERROR_ACTION, WARNING_ACTION, WHAT_IF, CONFIRM) : List.of(ERROR_ACTION, WARNING_ACTION);
    }
}
