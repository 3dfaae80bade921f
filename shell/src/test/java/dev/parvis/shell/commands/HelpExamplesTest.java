package dev.parvis.shell.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.shell.ShellFixture;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.HelpExample;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.engine.RunResult;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every command's help shows its parameters and at least one example (Get-Help NAME -Examples), and
 * every example runs as written without an error. (The Hyper-V commands' examples need a host; the
 * end-to-end tests run those.)
 */
class HelpExamplesTest {
    static Stream<CommandDefinition> commands() {
        return new ShellFixture().session.commands().all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void helpShowsParametersAndExamples(CommandDefinition command) {
        ShellFixture shell = new ShellFixture();
        String name = command.spec().name();
        String help = shell.out("Get-Help " + name + " -Examples");
        assertTrue(help.contains("NAME\n    " + name), help);
        assertTrue(help.contains("PARAMETERS"), help);
        for (ParameterSpec p : command.spec().parameters()) {
            assertFalse(p.help().isBlank(), name + " -" + p.name() + " has no help");
            assertTrue(help.contains("-" + p.name()), name + " help lacks -" + p.name());
        }
        assertFalse(command.spec().examples().isEmpty());
        assertTrue(help.contains("-- Example 1 --"), help);
        assertTrue(help.contains("PS> " + command.spec().examples().get(0).code()), help);
    }

    static Stream<Object[]> examples() {
        return commands().filter(c -> !c.spec().module().equals("Parvis.HyperV"))
                .flatMap(c -> c.spec().examples().stream().map(e -> new Object[] {c.spec().name(), e}));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("examples")
    void everyExampleRuns(String command, HelpExample example) {
        ShellFixture shell = new ShellFixture();
        RunResult r = shell.run(example.code());
        assertEquals("", shell.errors(), command + " example failed: " + example.code());
        assertTrue(r.success(), example.code());
    }
}
