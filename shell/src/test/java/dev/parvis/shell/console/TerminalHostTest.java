package dev.parvis.shell.console;

import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;
import org.jline.terminal.impl.ExternalTerminal;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the interactive host writes for progress, on a real terminal and on a dumb one. */
class TerminalHostTest {

    private static String shown(Terminal terminal, ByteArrayOutputStream out) {
        TerminalHost host = new TerminalHost(terminal);
        host.progress("Start-VM demo", "demo", 20, false);
        host.progress("Start-VM demo", "demo", 100, true);
        host.write("done\n");
        terminal.writer().flush();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anAnsiTerminalShowsTheBarAndErasesItBeforeOutput() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Terminal t = new ExternalTerminal("test", "ansi", new ByteArrayInputStream(new byte[0]), out, StandardCharsets.UTF_8)) {
            String text = shown(t, out);
            assertTrue(text.contains("Start-VM demo [") && text.contains("20% demo"), text);
            assertTrue(text.contains("\r\u001b[Kdone"), text);
        }
    }

    @Test
    void aDumbTerminalGetsNoBarAndNoCursorEscapes() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Terminal t = new DumbTerminal("test", Terminal.TYPE_DUMB, new ByteArrayInputStream(new byte[0]), out,
                StandardCharsets.UTF_8)) {
            assertEquals("done\n", shown(t, out));
        }
    }
}
