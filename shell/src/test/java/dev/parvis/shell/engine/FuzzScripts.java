package dev.parvis.shell.engine;

import dev.parvis.shell.command.CommandSpec;
import java.util.List;
import java.util.Random;

/** The scripts of the fuzz campaigns ({@link ScriptFuzzTest}), for tests of other packages too (the prompt's line check). */
public final class FuzzScripts {
    private FuzzScripts() {
    }

    /** Case {@code index} of campaign {@code seed}: its own random stream, so it is the same script whatever ran before it. */
    public static String script(long seed, int index, List<CommandSpec> specs) {
        Random r = new Random(seed * 0x9E3779B97F4A7C15L + index);
        String s = new ScriptGenerator(r, specs).script();
        ScriptMutator m = new ScriptMutator(r);
        return switch (r.nextInt(5)) {
            case 0, 1 -> s;
            case 2, 3 -> m.mutate(s);
            default -> m.mutate(m.mutate(s));
        };
    }
}
