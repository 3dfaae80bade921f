package dev.parvis.shell.syntax;

import dev.parvis.shell.grammar.DashOperators;
import dev.parvis.shell.grammar.ShellLexer;
import java.util.Comparator;
import org.antlr.v4.runtime.Token;

/** Turns the token a parse stopped at into a message a PowerShell user recognises, with a hint where one helps. */
final class SyntaxErrorMessages {
    private SyntaxErrorMessages() {
    }

    static String describe(Token offending) {
        String text = offending.getText();
        return switch (offending.getType()) {
            case Token.EOF -> "Incomplete input: the statement or block is not closed.";
            case ShellLexer.UNSUPPORTED -> unsupported(text);
            case ShellLexer.UNKNOWN_OP -> "Unknown operator '" + text + "'." + operatorHint(text.substring(1));
            case ShellLexer.ERROR_CHAR -> "Unexpected character '" + printable(text) + "'.";
            case ShellLexer.NEWLINE -> "Unexpected end of line.";
            default -> "Unexpected token '" + printable(text) + "' in expression or statement.";
        };
    }

    private static String unsupported(String text) {
        return switch (text) {
            case ">", ">>", "<" -> "The '" + text + "' operator is not supported: compare with -gt/-lt, write files with Out-File or Export-Csv.";
            case "&&", "||" -> "The '" + text + "' operator is not supported: separate statements with ';' and test $? with if.";
            default -> "'" + text + "' is not allowed here: '&' invokes a command only at the start of a statement ('& $block').";
        };
    }

    private static String operatorHint(String name) {
        return DashOperators.names().stream()
                .min(Comparator.comparingInt(n -> EditDistance.between(n, name.toLowerCase(java.util.Locale.ROOT))))
                .filter(n -> EditDistance.between(n, name.toLowerCase(java.util.Locale.ROOT)) <= 2)
                .map(n -> " Did you mean '-" + n + "'?").orElse("");
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(40).forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return s.length() > 40 ? b + "..." : b.toString();
    }
}
