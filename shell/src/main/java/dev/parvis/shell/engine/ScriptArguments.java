package dev.parvis.shell.engine;

import dev.parvis.shell.syntax.SourceSpan;
import dev.parvis.shell.syntax.SourceText;
import java.util.ArrayList;
import java.util.List;

/** A script's command-line arguments ({@code -File x.ps1 -Name web1 3}): {@code -Word} names a parameter, the rest are values. */
final class ScriptArguments {
    private ScriptArguments() {
    }

    static List<InvocationArgument> parse(List<String> args, SourceText source) {
        SourceSpan at = new SourceSpan(source, 0, 1, 1, 1);
        List<InvocationArgument> out = new ArrayList<>();
        for (String a : args) {
            if (a.length() > 1 && a.startsWith("-") && Character.isLetter(a.charAt(1))) {
                int colon = a.indexOf(':');
                if (colon > 0) {
                    out.add(new InvocationArgument(a.substring(1, colon), a.substring(colon + 1), true, at));
                } else {
                    out.add(new InvocationArgument(a.substring(1), null, false, at));
                }
            } else {
                out.add(InvocationArgument.positional(a, at));
            }
        }
        return out;
    }
}
