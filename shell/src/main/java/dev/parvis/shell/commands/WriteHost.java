package dev.parvis.shell.commands;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.command.PipelineInput;
import dev.parvis.shell.runtime.Conversions;
import java.util.Collection;
import java.util.StringJoiner;

/** Write-Host: writes text to the screen (not to the pipeline). */
public final class WriteHost implements CommandDefinition {
    /** Console colors and their ANSI codes. */
    private static final java.util.Map<String, Integer> COLORS = colors();
    private static final CommandSpec SPEC = CommandSpec.named("Write-Host")
            .synopsis("Writes text to the screen.")
            .description("Shows its arguments as text, separated by spaces (or by -Separator), followed by a line break unless "
                    + "-NoNewline. The text does not enter the pipeline.")
            .parameter(ParameterSpec.of("Object", ParameterKind.OBJECT, "What to show.").at(0).fromPipeline(PipelineInput.BY_VALUE).remainingArguments())
            .parameter(ParameterSpec.of("NoNewline", ParameterKind.SWITCH, "Does not end the text with a line break."))
            .parameter(ParameterSpec.of("Separator", ParameterKind.STRING, "Placed between the elements of a collection (default: a space)."))
            .parameter(ParameterSpec.of("ForegroundColor", ParameterKind.CHOICE, "The text's color on a terminal (plain elsewhere).")
                    .choices(COLORS.keySet().toArray(String[]::new)))
            .example("Write-Host 'Starting web1'", "Shows: Starting web1")
            .example("Write-Host 1,2,3 -Separator ', '", "Shows: 1, 2, 3")
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters parameters, CommandContext context) {
        String sep = parameters.string("Separator", " ");
        String end = parameters.flag("NoNewline") ? "" : "\n";
        String color = parameters.string("ForegroundColor");
        boolean colored = color != null && context.service(dev.parvis.shell.engine.ShellHost.class).interactive();
        return (input, p, out) -> {
            String text = text(p.get("Object"), sep);
            context.writeHost((colored ? "\u001b[" + COLORS.get(color) + "m" + text + "\u001b[0m" : text) + end);
        };
    }

    private static java.util.Map<String, Integer> colors() {
        java.util.Map<String, Integer> m = new java.util.LinkedHashMap<>();
        String[] names = {"Black", "DarkRed", "DarkGreen", "DarkYellow", "DarkBlue", "DarkMagenta", "DarkCyan", "Gray"};
        String[] bright = {"DarkGray", "Red", "Green", "Yellow", "Blue", "Magenta", "Cyan", "White"};
        for (int i = 0; i < 8; i++) {
            m.put(names[i], 30 + i);
            m.put(bright[i], 90 + i);
        }
        return m;
    }

    private static String text(Object v, String sep) {
        if (v instanceof Collection<?> c) {
            StringJoiner j = new StringJoiner(sep);
            c.forEach(o -> j.add(Conversions.toShortString(o)));
            return j.toString();
        }
        return Conversions.toShortString(v);
    }
}
