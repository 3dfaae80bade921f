package dev.parvis.shell.commands;

import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.HelpExample;
import dev.parvis.shell.command.ParameterSpec;
import java.util.ArrayList;
import java.util.List;

/** A command's help as Get-Help shows it: NAME, SYNOPSIS, SYNTAX, DESCRIPTION, PARAMETERS, EXAMPLES. */
final class HelpText {
    enum View { DEFAULT, EXAMPLES, FULL }

    private HelpText() {
    }

    static String render(CommandSpec spec, List<ParameterSpec> common, View view) {
        StringBuilder b = new StringBuilder("\nNAME\n    ").append(spec.name()).append("\n\nSYNOPSIS\n    ").append(spec.synopsis()).append('\n');
        b.append("\nSYNTAX\n    ").append(syntax(spec)).append('\n');
        if (view != View.EXAMPLES) {
            b.append("\nDESCRIPTION\n").append(wrap(spec.description(), "    ")).append('\n');
        }
        b.append("\nPARAMETERS\n");
        for (ParameterSpec p : spec.parameters()) {
            b.append(parameter(p, view == View.FULL));
        }
        List<String> commonNames = common.stream().map(p -> "-" + p.name()).toList();
        b.append("    <CommonParameters>\n        ").append(String.join(", ", commonNames)).append(".\n");
        if (view != View.DEFAULT) {
            b.append("\nEXAMPLES\n");
            int n = 1;
            for (HelpExample e : spec.examples()) {
                b.append("    -------------------------- Example ").append(n++).append(" --------------------------\n");
                b.append("    PS> ").append(e.code()).append("\n\n").append(wrap(e.remarks(), "    ")).append("\n\n");
            }
        }
        if (view == View.FULL) {
            b.append("OUTPUTS\n    ").append(spec.outputType()).append('\n');
        }
        if (view == View.DEFAULT) {
            b.append("\nREMARKS\n    To see the examples, type: \"Get-Help ").append(spec.name()).append(" -Examples\".\n")
                    .append("    For the parameters in detail, type: \"Get-Help ").append(spec.name()).append(" -Full\".\n");
        }
        return b.toString();
    }

    private static String parameter(ParameterSpec p, boolean full) {
        StringBuilder b = new StringBuilder("    -").append(p.name());
        if (!p.isSwitch()) {
            b.append(" <").append(p.kind().typeName()).append('>');
        }
        b.append('\n').append(wrap(p.help() + (p.choices().isEmpty() ? "" : " One of: " + String.join(", ", p.choices()) + "."),
                "        ")).append('\n');
        if (full) {
            b.append("        Required?                    ").append(p.mandatory()).append('\n');
            b.append("        Position?                    ").append(p.position() < 0 ? "named" : String.valueOf(p.position())).append('\n');
            b.append("        Accept pipeline input?       ").append(p.pipeline().describe()).append('\n');
            if (!p.aliases().isEmpty()) {
                b.append("        Aliases                      ").append(String.join(", ", p.aliases())).append('\n');
            }
        }
        return b.append('\n').toString();
    }

    /** {@code Get-VM [[-Name] <String[]>] [-Id <String>] [<CommonParameters>]} */
    static String syntax(CommandSpec spec) {
        List<String> parts = new ArrayList<>();
        parts.add(spec.name());
        for (ParameterSpec p : spec.parameters()) {
            String name = p.position() >= 0 ? "[-" + p.name() + "]" : "-" + p.name();
            String one = p.isSwitch() ? "-" + p.name() : name + " <" + p.kind().typeName() + ">";
            parts.add(p.mandatory() ? one : "[" + one + "]");
        }
        if (spec.changesState()) {
            parts.add("[-WhatIf]");
            parts.add("[-Confirm]");
        }
        parts.add("[<CommonParameters>]");
        return String.join(" ", parts);
    }

    static String wrap(String text, String indent) {
        StringBuilder b = new StringBuilder();
        StringBuilder line = new StringBuilder(indent);
        for (String word : text.split(" ")) {
            if (line.length() + word.length() + 1 > 100 && line.length() > indent.length()) {
                b.append(line.toString().stripTrailing()).append('\n');
                line = new StringBuilder(indent);
            }
            line.append(word).append(' ');
        }
        return b.append(line.toString().stripTrailing()).toString();
    }
}
