package dev.parvis.shell.runtime;

import dev.parvis.shell.syntax.SourceSpan;
import java.util.List;

/**
 * One error, as {@code $Error} and catch blocks see it: the message, the .NET-style exception type
 * name, the category, the error id ({@code FullyQualifiedErrorId} adds the command), the command
 * that failed (null for language errors), the object it failed on, and where in the script.
 */
public record ErrorRecord(String message, String exceptionType, ErrorCategory category, String errorId,
                          String commandName, Object target, SourceSpan position) {
    public ErrorRecord {
        message = message == null ? "" : message;
        exceptionType = exceptionType == null ? "RuntimeException" : exceptionType;
        category = category == null ? ErrorCategory.NOT_SPECIFIED : category;
        errorId = errorId == null || errorId.isEmpty() ? exceptionType : errorId;
        position = position == null ? SourceSpan.NONE : position;
    }

    /** {@code Id,Parvis.Commands.GetVM} for a command's error, the bare id otherwise. */
    public String fullyQualifiedErrorId() {
        return commandName == null ? errorId : errorId + ",Parvis.Commands." + commandName.replace("-", "");
    }

    /** {@code ObjectNotFound: (web9:String) [Get-VM], VirtualizationException} */
    public String categoryInfo() {
        String t = target == null ? "(:) " : "(" + clip(Conversions.toDisplayString(target)) + ":" + TypeNames.shortName(target) + ") ";
        return category.displayName() + ": " + t + "[" + (commandName == null ? "" : commandName) + "], " + exceptionType;
    }

    private static String clip(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    public ErrorRecord withPosition(SourceSpan span) {
        return new ErrorRecord(message, exceptionType, category, errorId, commandName, target, span);
    }

    public ErrorRecord withCommand(String command) {
        return new ErrorRecord(message, exceptionType, category, errorId, command, target, position);
    }

    /** The type names a {@code catch [Type]} clause can name to catch this error. */
    public List<String> catchableTypes() {
        return List.of(exceptionType, "RuntimeException", "SystemException", "Exception");
    }

    @Override
    public String toString() {
        return message;
    }
}
