package dev.parvis.shell.commands;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.CommandTable;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.engine.ShellSession;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.PSObject;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.shell.runtime.Wildcard;
import java.util.List;

/** Get-Help: a command's help text, or the list of commands matching a wildcard, or an overview. */
public final class GetHelp implements CommandDefinition {
    public static final String HELP_INFO_TYPE = "Parvis.HelpInfoShort";
    private static final CommandSpec SPEC = CommandSpec.named("Get-Help")
            .synopsis("Shows help about commands.")
            .description("With a command name, shows its synopsis, syntax, description and parameters; -Examples adds its "
                    + "examples (every example can be run as written), -Full the details of each parameter. With a wildcard, "
                    + "lists the matching commands. Without a name, shows how to get started.")
            .parameter(ParameterSpec.of("Name", ParameterKind.STRING, "The command (or alias, or wildcard pattern).").at(0))
            .parameter(ParameterSpec.of("Examples", ParameterKind.SWITCH, "Shows the examples."))
            .parameter(ParameterSpec.of("Full", ParameterKind.SWITCH, "Shows everything, with parameter details."))
            .parameter(ParameterSpec.of("Parameter", ParameterKind.STRING, "Shows only this parameter."))
            .example("Get-Help Select-Object -Examples", "Shows Select-Object's parameters and examples.")
            .example("Get-Help *-Object", "Lists the commands whose names end in -Object.")
            .outputs("System.String")
            .build();

    private static final String OVERVIEW = """

            PARVIS SHELL HELP
                The Parvis shell speaks a subset of PowerShell: Verb-Noun commands, an object pipeline,
                variables, script blocks, functions, if/foreach/while, try/catch.

                Get-Command                 lists every command (Get-Command *-VM: the VM commands)
                Get-Help <command>          shows a command's help; -Examples shows how to use it
                Get-VM | Get-Member         shows the properties of the objects a command returns
                Get-VM | Where-Object State -eq Running | Select-Object Name, Uptime

            """;

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters p, CommandContext ctx) {
        return (input, record, out) -> {
            String name = p.string("Name");
            CommandTable table = ctx.service(CommandTable.class);
            if (name == null) {
                out.write(OVERVIEW);
                return;
            }
            if (Wildcard.hasWildcards(name)) {
                for (CommandDefinition d : table.all()) {
                    if (Wildcard.matches(name, d.spec().name(), false)) {
                        out.write(PSObject.of(HELP_INFO_TYPE, d.spec().name()).add("Name", d.spec().name())
                                .add("Category", "Cmdlet").add("Synopsis", d.spec().synopsis()));
                    }
                }
                return;
            }
            CommandDefinition d = table.find(name).orElse(null);
            if (d == null) {
                ShellSession session = ctx.service(ShellSession.class);
                if (session.functionNames().stream().anyMatch(f -> f.equalsIgnoreCase(name))) {
                    out.write("\nNAME\n    " + name + "\n\nSYNTAX\n    " + name + " " + String.join(" ",
                            session.functionParameters(name).stream().map(x -> "[-" + x + " <Object>]").toList()) + "\n\nREMARKS\n    A function defined in this session.\n");
                    return;
                }
                throw new RuntimeError("Get-Help could not find " + name + " in a help file in this session.", ErrorCategory.RESOURCE_UNAVAILABLE,
                        "HelpNotFound");
            }
            out.write(render(d.spec(), p));
        };
    }

    private static String render(CommandSpec spec, BoundParameters p) {
        if (p.has("Parameter")) {
            ParameterSpec param = spec.parameter(p.string("Parameter")).orElseThrow(() -> new RuntimeError(
                    "No parameter matches " + p.string("Parameter") + " for " + spec.name() + ".", ErrorCategory.OBJECT_NOT_FOUND, "NoParameterFound"));
            CommandSpec one = new CommandSpec(spec.name(), spec.synopsis(), spec.description(), List.of(param), spec.examples(),
                    spec.outputType(), spec.changesState(), spec.highImpact(), spec.module());
            return HelpText.render(one, List.of(), HelpText.View.FULL);
        }
        HelpText.View view = p.flag("Full") ? HelpText.View.FULL : p.flag("Examples") ? HelpText.View.EXAMPLES : HelpText.View.DEFAULT;
        return HelpText.render(spec, dev.parvis.shell.command.CommonParameterSpecs.forCommand(spec), view);
    }
}
