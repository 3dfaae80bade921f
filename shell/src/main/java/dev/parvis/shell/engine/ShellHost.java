package dev.parvis.shell.engine;

/**
 * Where the shell's text goes and where it asks the user: the terminal of the interactive prompt,
 * the process's stdout/stderr for -File and -Command, or a buffer in tests.
 */
public interface ShellHost {
    /** Output text (formatted objects, Write-Host); {@code text} ends with its own line breaks. */
    void write(String text);

    /** An error, already formatted (several lines). */
    void writeError(String text);

    void writeWarning(String text);

    /** Columns available for tables. */
    int width();

    /** Whether a person can answer prompts. */
    boolean interactive();

    /** Asks the user for a line; null when nobody can answer (not interactive, end of input). */
    String readLine(String prompt);

    /** Asks for a secret (a password): not echoed where the host can help it; null when nobody can answer. */
    default String readSecret(String prompt) {
        return readLine(prompt);
    }

    /** Shows the progress of a long operation; {@code percent} 0..100, {@code done} removes the bar. */
    default void progress(String activity, String status, int percent, boolean done) {
    }
}
