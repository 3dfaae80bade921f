package dev.parvis.shell.console;

import dev.parvis.shell.syntax.ParseException;
import dev.parvis.shell.syntax.ScriptParser;
import dev.parvis.shell.syntax.SourceText;
import org.jline.reader.EOFError;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;
import org.jline.reader.impl.DefaultParser;

/**
 * Tells JLine when typed input is not finished (an open block, bracket or string, a trailing '|'):
 * the prompt then asks for another line (">> ") instead of running it. Words for completion are
 * split on whitespace with quotes kept together; backslashes are ordinary characters.
 */
final class ShellLineParser implements Parser {
    private final DefaultParser words = new DefaultParser();

    ShellLineParser() {
        words.setEscapeChars(new char[0]);
        words.setEofOnUnclosedQuote(false);
        words.setEofOnEscapedNewLine(false);
    }

    @Override
    public ParsedLine parse(String line, int cursor, ParseContext context) {
        if (context == ParseContext.ACCEPT_LINE && incomplete(line)) {
            throw new EOFError(-1, cursor, "incomplete input", "continue");
        }
        return words.parse(line, cursor, ParseContext.COMPLETE);
    }

    static boolean incomplete(String text) {
        if (text.isBlank()) {
            return false;
        }
        try {
            ScriptParser.parse(SourceText.interactive(text));
            return false;
        } catch (ParseException e) {
            return e.incomplete();
        }
    }
}
