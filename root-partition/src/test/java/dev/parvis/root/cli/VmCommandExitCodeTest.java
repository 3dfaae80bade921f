package dev.parvis.root.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `parvis vm ...` through the same command line main() runs: 0 only when the request succeeded. */
class VmCommandExitCodeTest {
    @TempDir
    Path data;

    private final StringWriter err = new StringWriter();

    private int parvis(String... args) {
        CommandLine cl = ParvisCommand.commandLine();
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void createSucceedsOnceThenRefusesTheSameName() {
        assertEquals(0, parvis("vm", "create", "web", "--image", "counter", "--data-dir", data.toString()));
        assertEquals(1, parvis("vm", "create", "web", "--image", "counter", "--data-dir", data.toString()));
        assertEquals(0, parvis("vm", "list", "--data-dir", data.toString()));
    }

    @Test
    void anInvalidSettingOrOptionIsAUsageError() {
        assertEquals(2, parvis("vm", "create", "small", "--image", "counter", "--memory-mib", "1", "--data-dir", data.toString()));
        assertEquals(2, parvis("vm", "create", "web", "--image", "counter", "--cpus", "many"));
        assertEquals(2, parvis("vm", "list", "--no-such-option"));
    }

    @Test
    void aDataDirectoryThatCannotBeUsedFailsWithOneLineNotAStackTrace() throws Exception {
        Path file = Files.writeString(data.resolve("file"), "x");
        assertEquals(1, parvis("vm", "list", "--data-dir", file.toString()));
        assertEquals(1, parvis("vm", "create", "web", "--image", "counter", "--data-dir", file.toString()));
        String text = err.toString();
        assertTrue(text.contains("parvis vm list: the data directory " + file + " is not a directory"), text);
        assertTrue(text.contains("parvis vm create: the data directory " + file + " is not a directory"), text);
        assertTrue(!text.contains("\tat "), "no stack trace:\n" + text);
    }
}
