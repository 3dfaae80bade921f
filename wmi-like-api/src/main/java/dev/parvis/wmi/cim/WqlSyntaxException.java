package dev.parvis.wmi.cim;

/** A WQL statement that does not parse: the offending token and its position (line and column from 1). */
public final class WqlSyntaxException extends CimException {
    private final String reason;
    private final String token;
    private final int line;
    private final int column;

    public WqlSyntaxException(String message, String token, int line, int column) {
        super("WQL syntax error at line %d, column %d near '%s': %s".formatted(line, column, token, message));
        this.reason = message;
        this.token = token;
        this.line = line;
        this.column = column;
    }

    /** What is wrong, without the position. */
    public String reason() {
        return reason;
    }

    public String token() {
        return token;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }
}
