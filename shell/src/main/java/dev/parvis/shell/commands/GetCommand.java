package dev.parvis.shell.commands;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.CommandTable;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.command.Pipe;
import dev.parvis.shell.engine.ShellSession;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.PSObject;
import dev.parvis.shell.runtime.Wildcard;
import java.util.List;
import java.util.Map;

/** Get-Command: the commands, aliases and functions of the session, filtered by name, verb, noun or module. */
public final class GetCommand implements CommandDefinition {
    public static final String COMMAND_INFO_TYPE = "System.Management.Automation.CommandInfo";
    private static final CommandSpec SPEC = CommandSpec.named("Get-Command")
            .synopsis("Lists the commands of the session.")
            .description("Outputs an object per command (cmdlets, aliases and functions): CommandType, Name, Version, Source. "
                    + "-Name takes wildcards; -Verb and -Noun filter on the parts of Verb-Noun names; -Syntax shows the syntax instead.")
            .parameter(ParameterSpec.of("Name", ParameterKind.STRING_ARRAY, "Names or wildcard patterns.").at(0))
            .parameter(ParameterSpec.of("Verb", ParameterKind.STRING, "Only commands with this verb (wildcards allowed)."))
            .parameter(ParameterSpec.of("Noun", ParameterKind.STRING, "Only commands with this noun (wildcards allowed)."))
            .parameter(ParameterSpec.of("Module", ParameterKind.STRING, "Only commands from this module (e.g. Parvis.HyperV)."))
            .parameter(ParameterSpec.of("Syntax", ParameterKind.SWITCH, "Outputs each command's syntax line."))
            .example("Get-Command -Noun Object", "The *-Object commands.")
            .example("Get-Command Select-Object -Syntax", "Select-Object's syntax line.")
            .outputs(COMMAND_INFO_TYPE)
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters p, CommandContext ctx) {
        List<String> names = p.strings("Name");
        return (input, record, out) -> {
            CommandTable table = ctx.service(CommandTable.class);
            int found = 0;
            for (CommandDefinition d : table.all()) {
                CommandSpec s = d.spec();
                if (matches(s.name(), names, p) && (p.string("Module") == null || Wildcard.matches(p.string("Module"), s.module(), false))) {
                    found++;
                    out.write(p.flag("Syntax") ? HelpText.syntax(s) : info("Cmdlet", s.name(), s.module(), s.synopsis()));
                }
            }
            if (p.string("Module") == null && p.string("Verb") == null && p.string("Noun") == null) {
                found += aliasesAndFunctions(table, names, ctx, out);
            }
            if (found == 0 && !names.isEmpty() && names.stream().noneMatch(Wildcard::hasWildcards)) {
                ctx.writeError("The term '" + names.get(0) + "' is not recognized as the name of a cmdlet, function, script file, or operable program.",
                        ErrorCategory.OBJECT_NOT_FOUND, "CommandNotFoundException", names.get(0));
            }
        };
    }

    private static int aliasesAndFunctions(CommandTable table, List<String> names, CommandContext ctx, Pipe out) {
        int found = 0;
        for (Map.Entry<String, String> a : new java.util.TreeMap<>(table.aliases()).entrySet()) {
            if (!names.isEmpty() && names.stream().anyMatch(n -> Wildcard.matches(n, a.getKey(), false))) {
                found++;
                out.write(info("Alias", a.getKey() + " -> " + a.getValue(), "", "Alias of " + a.getValue() + "."));
            }
        }
        for (String f : ctx.service(ShellSession.class).functionNames()) {
            if (names.isEmpty() || names.stream().anyMatch(n -> Wildcard.matches(n, f, false))) {
                found++;
                out.write(info("Function", f, "", "A function defined in this session."));
            }
        }
        return found;
    }

    private static boolean matches(String name, List<String> names, BoundParameters p) {
        int dash = name.indexOf('-');
        String verb = dash < 0 ? name : name.substring(0, dash);
        String noun = dash < 0 ? "" : name.substring(dash + 1);
        return (names.isEmpty() || names.stream().anyMatch(n -> Wildcard.matches(n, name, false)))
                && (p.string("Verb") == null || Wildcard.matches(p.string("Verb"), verb, false))
                && (p.string("Noun") == null || Wildcard.matches(p.string("Noun"), noun, false));
    }

    private static PSObject info(String type, String name, String source, String synopsis) {
        return PSObject.of(COMMAND_INFO_TYPE, name).add("CommandType", type).add("Name", name).add("Version", "1.0")
                .add("Source", source).add("Synopsis", synopsis);
    }
}
