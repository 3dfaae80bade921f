package dev.parvis.shell.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.shell.ShellFixture;
import dev.parvis.shell.command.CommandSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the prompt does with typed text: when to ask for more lines, and what Tab completes. */
class PromptInputTest {
    @Test
    void unfinishedInputAsksForMoreLines() {
        for (String open : List.of("if ($x) {", "Get-VM |", "\"open string", "@\"\nhere", "function f {\n  param($a,", "$a = (1 +", "1,")) {
            assertTrue(new LineCheck().incomplete(open, () -> { }), open);
        }
        for (String done : List.of("Get-VM", "if ($x) { 1 }", "", "  ", "1 + )", "$a = 1")) {
            assertFalse(new LineCheck().incomplete(done, () -> { }), done);
        }
    }

    /** PowerShell's prompt asks for more lines inside a 'single-quoted' string, an @' here-string and a <# comment, as inside "...". */
    @Test
    void anOpenLiteralStringHereStringOrBlockCommentAsksForMoreLines() {
        for (String open : List.of("'open", "Write-Output 'it''s", "$a = 'one\ntwo", "@'\nhere", "Write-Output @'\nhere\n '@",
                "<# a comment", "Write-Output 1 <# note\n more", "Get-VM <#a#> <#")) {
            assertTrue(new LineCheck().incomplete(open, () -> { }), open);
        }
        for (String done : List.of("'closed'", "'it''s'", "'one\ntwo'", "@'\nhere\n'@", "@'\n'@", "<# a #>", "1 <# a\n b #> + 1", "'#>'")) {
            assertFalse(new LineCheck().incomplete(done, () -> { }), done);
        }
    }

    @Test
    void theCommandUnderTheCursorIsTheLastOneInTheLine() {
        assertEquals(List.of("Select-Object", "-First"), ShellCompleter.commandTokens("Get-VM | Select-Object -First "));
        assertEquals(List.of(), ShellCompleter.commandTokens("1..3 | ForEach-Object { "));
        assertEquals(List.of("Stop-VM"), ShellCompleter.commandTokens("$x = (Stop-VM "));
    }

    @Test
    void aValueCompletesForTheParameterItBelongsTo() {
        CommandSpec select = new ShellFixture().session.commands().find("Export-Csv").orElseThrow().spec();
        assertEquals("Path", ShellCompleter.parameterFor(select, List.of("Export-Csv")).orElseThrow().name());
        assertEquals("Delimiter", ShellCompleter.parameterFor(select, List.of("Export-Csv", "-Delimiter")).orElseThrow().name());
        assertEquals("Path", ShellCompleter.parameterFor(select, List.of("Export-Csv", "-Append")).orElseThrow().name());
        assertEquals("ErrorAction", ShellCompleter.parameterFor(select, List.of("Export-Csv", "x.csv", "-ErrorAction")).orElseThrow().name());
    }
}
