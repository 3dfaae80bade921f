package dev.parvis.shell.commands;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.RuntimeError;

/** The -Delimiter of Export-Csv and Import-Csv: one character, a comma by default. */
final class CsvDelimiter {
    private CsvDelimiter() {
    }

    static char of(BoundParameters p) {
        String delimiter = p.string("Delimiter", ",");
        if (delimiter.length() != 1) {
            throw new RuntimeError("-Delimiter must be one character.", ErrorCategory.INVALID_ARGUMENT, "BadDelimiter");
        }
        return delimiter.charAt(0);
    }
}
