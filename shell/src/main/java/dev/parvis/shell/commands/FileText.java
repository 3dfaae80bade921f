package dev.parvis.shell.commands;

import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.Limits;
import dev.parvis.shell.runtime.RuntimeError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Text files for Get-Content and Out-File: size-checked reads, errors worded for the user. */
final class FileText {
    private FileText() {
    }

    static Path path(String written) {
        if (written == null) {
            // '$null | Test-Path', a -Path bound from a property that is null
            throw RuntimeError.of("ParameterBindingException", "Cannot bind argument to parameter 'Path' because it is null.", ErrorCategory.INVALID_DATA,
                    "ParameterArgumentValidationErrorNullNotAllowed", null);
        }
        String p = written.startsWith("~/") ? System.getProperty("user.home") + written.substring(1) : written;
        try {
            return Path.of(p);
        } catch (java.nio.file.InvalidPathException e) {
            throw new RuntimeError("The path '" + written + "' is not valid: " + e.getReason() + ".", ErrorCategory.INVALID_ARGUMENT, "InvalidPath");
        }
    }

    static String read(Path p) {
        try {
            if (!Files.isRegularFile(p)) {
                throw RuntimeError.of("ItemNotFoundException", "Cannot find path '" + p.toAbsolutePath() + "' because it does not exist.",
                        ErrorCategory.OBJECT_NOT_FOUND, "PathNotFound", p.toString());
            }
            Limits.checkString(Files.size(p));
            return Files.readString(p);
        } catch (IOException e) {
            throw new RuntimeError("Cannot read " + p + ": " + e.getMessage(), ErrorCategory.READ_ERROR, "ReadError");
        }
    }
}
