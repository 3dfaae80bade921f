package dev.parvis.shell.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parvis.shell.ShellFixture;
import dev.parvis.shell.syntax.SourceText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Real .ps1 scripts (in src/test/resources/scripts) give the output in their .expected files, and their exit codes. */
class ScriptFileTest {
    private static String resource(String name) throws IOException {
        try (var in = ScriptFileTest.class.getResourceAsStream("/scripts/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String run(ShellFixture shell, String script, List<String> args, int expectedExit) throws IOException {
        RunResult r = shell.session.runScript(new SourceText("/scripts/" + script, resource(script)), args);
        assertEquals(expectedExit, r.exitCode(), () -> shell.errors());
        return shell.host.output();
    }

    @Test
    void inventoryReportMatchesItsExpectedOutput(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        ShellFixture shell = new ShellFixture();
        String out = run(shell, "inventory.ps1", List.of("-Out", dir.resolve("inv.csv").toString()), 0);
        assertEquals("", shell.errors());
        assertEquals(resource("inventory.expected").strip(), out.strip());
        assertEquals("\"Name\",\"MemoryMB\",\"State\"", Files.readAllLines(dir.resolve("inv.csv")).get(0));
    }

    @Test
    void errorHandlingScriptExitsWithItsCode() throws IOException {
        ShellFixture shell = new ShellFixture();
        String out = run(shell, "errors.ps1", List.of(), 4);
        assertEquals(resource("errors.expected").strip(), out.strip());
        assertEquals("", shell.errors(), "every error was silenced or caught");
    }
}
