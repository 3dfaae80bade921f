package dev.parvis.shell.console;

import org.jline.reader.EOFError;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;

/**
 * Tells JLine when typed input is not finished (an open block, bracket or string, a trailing '|'):
 * the prompt then asks for another line (">> ") instead of running it. Words for completion are
 * split on whitespace with quotes kept together; backslashes are ordinary characters.
 *
 * <p>The check ({@link LineCheck}) lexes each line of a multi-line input about once, and parses only
 * input that leaves no bracket or string open; still, the lexing or parse of a pasted script of a
 * million characters takes seconds on JLine's thread. Ctrl-C stops it: while JLine reads a line its
 * Ctrl-C handler interrupts the reading thread, and the check's checkpoint sees that interrupt and
 * ends the read as Ctrl-C at the prompt does, dropping the input. A size or time bound that ran the line instead would run an unfinished paste (an open
 * block) as if it were complete, and would make the prompt's answer depend on the machine's speed.
 */
final class ShellLineParser implements Parser {
    private final DefaultParser words = new DefaultParser();
    private final LineCheck check = new LineCheck();

    ShellLineParser() {
        words.setEscapeChars(new char[0]);
        words.setEofOnUnclosedQuote(false);
        words.setEofOnEscapedNewLine(false);
    }

    @Override
    public ParsedLine parse(String line, int cursor, ParseContext context) {
        if (context == ParseContext.ACCEPT_LINE && check.incomplete(line, () -> stopIfInterrupted(line))) {
            throw new EOFError(-1, cursor, "incomplete input", "continue");
        }
        return words.parse(line, cursor, ParseContext.COMPLETE);
    }

    /** An interrupt of this thread (JLine's Ctrl-C) stops the check with the {@link UserInterruptException} JLine's read ends with, the interrupt consumed. */
    private static void stopIfInterrupted(String text) {
        if (Thread.interrupted()) {
            throw new UserInterruptException(text);
        }
    }
}
