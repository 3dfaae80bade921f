package dev.parvis.shell.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.shell.ShellFixture;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.engine.FuzzScripts;
import dev.parvis.shell.syntax.ParseException;
import dev.parvis.shell.syntax.ScriptParser;
import dev.parvis.shell.syntax.SourceText;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The prompt's line check over the successive inputs of a multi-line entry: each line is lexed
 * about once (not the whole input again at each Enter), and every answer is the one a full parse of
 * the input gives.
 */
class LineCheckTest {
    private static final Runnable NO_CANCEL = () -> { };

    @Test
    void aPastedBlockOfTwentyThousandLinesIsLexedAboutOnceAndParsedOnce() {
        pasteLineByLine("$sb = {", "\n  $i = $i + 1; \"at $i\" | Write-Output", "\n}");
    }

    @Test
    void aPastedStringOfTwentyThousandLinesIsLexedAboutOnce() {
        pasteLineByLine("$text = \"first", "\n  line $i of the text, `$ and \"\" too", "\"");
    }

    @Test
    void aPastedLiteralStringHereStringOrBlockCommentOfTwentyThousandLinesIsLexedAboutOnce() {
        pasteLineByLine("$text = 'first", "\n  line of the text, it''s $not expanded", "'");
        pasteLineByLine("$text = @'\nfirst", "\n  line of the here-string, ' and '' and $x", "\n'@");
        pasteLineByLine("<# first", "\n  line of the comment, # and <# and '", "#>");
    }

    /**
     * Checks {@code first}, then it with 20,000 {@code line}s, one more at each check, as JLine does
     * for a paste: every input but the last (closed by {@code last}) is unfinished, each line is lexed
     * about once (a new line lexes the line before it again: the lexer may have looked past its end),
     * and only the finished input is parsed.
     */
    private static void pasteLineByLine(String first, String line, String last) {
        LineCheck check = new LineCheck();
        StringBuilder input = new StringBuilder(first);
        for (int i = 0; i < 20_000; i++) {
            assertTrue(check.incomplete(input.toString(), NO_CANCEL), "line " + i);
            assertTrue(check.charsLexed() <= 3L * input.length(), check.charsLexed() + " chars lexed for " + input.length() + " at line " + i);
            input.append(line);
        }
        input.append(last);
        assertFalse(check.incomplete(input.toString(), NO_CANCEL));
        assertTrue(check.charsLexed() <= 3L * input.length(), check.charsLexed() + " chars lexed for " + input.length());
        assertEquals(1, check.parses(), "only the finished input is parsed");
    }

    @Test
    void everyAnswerIsTheFullParsesForTheLinesOfFuzzScripts() {
        List<CommandSpec> specs = new ShellFixture().session.commands().all().stream().map(CommandDefinition::spec).toList();
        LineCheck check = new LineCheck();
        Random cuts = new Random(7);
        for (int i = 0; i < 600; i++) {
            String script = FuzzScripts.script(11, i, specs);
            if (script.length() > 4000) {
                continue;
            }
            for (String input : inputsOf(script, cuts)) {
                assertEquals(fullParseSaysIncomplete(input), check.incomplete(input, NO_CANCEL), "case " + i + ", input: " + input);
            }
        }
    }

    @Test
    void aCheckStoppedMidwayLeavesTheNextAnswersRight() {
        LineCheck check = new LineCheck();
        String open = "function f {\n" + "  $a = @(1, 2, 3) | ForEach-Object { $_ * 2 }\n".repeat(3000);
        assertTrue(check.incomplete(open, NO_CANCEL));
        int[] runs = {0};
        String longer = open + "  \"$a\"\n".repeat(3000);
        assertThrows(IllegalStateException.class, () -> check.incomplete(longer, () -> {
            if (++runs[0] == 2) {
                throw new IllegalStateException("stopped");
            }
        }));
        assertTrue(check.incomplete(longer, NO_CANCEL));
        assertFalse(check.incomplete(longer + "}", NO_CANCEL));
        assertTrue(check.incomplete(open.replaceFirst("@\\(1", "@((1"), NO_CANCEL), "an edit before the saved lines is seen");
    }

    /** What JLine checks while the script is typed or pasted line by line, then a few other prefixes in any order (edits). */
    private static List<String> inputsOf(String script, Random cuts) {
        List<String> inputs = new ArrayList<>();
        for (int at = script.indexOf('\n'); at >= 0; at = script.indexOf('\n', at + 1)) {
            inputs.add(script.substring(0, at));
        }
        inputs.add(script);
        for (int k = 0; k < 3; k++) {
            inputs.add(script.substring(0, cuts.nextInt(script.length() + 1)));
        }
        return inputs;
    }

    private static boolean fullParseSaysIncomplete(String text) {
        if (text.isBlank()) {
            return false;
        }
        try {
            ScriptParser.parse(SourceText.interactive(text), NO_CANCEL);
            return false;
        } catch (ParseException e) {
            return e.incomplete();
        }
    }
}
