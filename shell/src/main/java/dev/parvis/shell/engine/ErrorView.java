package dev.parvis.shell.engine;

import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.ErrorRecord;
import dev.parvis.shell.syntax.SourceSpan;

/**
 * An error record as PowerShell's normal view shows it: the command and message, where it happened
 * with the line underlined, and the category and error id.
 */
public final class ErrorView {
    private ErrorView() {
    }

    public static String format(ErrorRecord r) {
        StringBuilder b = new StringBuilder();
        SourceSpan at = r.position();
        if (r.category() == ErrorCategory.PARSER_ERROR) {
            if (at.isKnown()) {
                b.append(at.location()).append('\n').append(at.underline()).append('\n');
            }
            b.append(r.message()).append('\n');
        } else {
            b.append(r.commandName() == null ? "" : r.commandName() + " : ").append(r.message()).append('\n');
            if (at.isKnown()) {
                b.append(at.location()).append('\n').append(at.underline()).append('\n');
            }
        }
        b.append("    + CategoryInfo          : ").append(r.categoryInfo()).append('\n');
        b.append("    + FullyQualifiedErrorId : ").append(r.fullyQualifiedErrorId()).append('\n');
        return b.toString();
    }
}
