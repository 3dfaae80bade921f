package dev.parvis.shell.jobs;

import dev.parvis.shell.engine.ShellHost;

/**
 * The host of a Start-Job script's session. Its host text (Write-Host) goes to the job as output,
 * a string per line as each line is completed, so that a job that writes forever holds only what
 * the job's bound allows, not an ever-growing buffer; a line longer than {@link #MAX_LINE} is passed
 * on in pieces. Errors reach the job as records (ShellSession.streamErrorsTo), so their text is not
 * kept here; warnings are not kept either (the job has no warning stream). Nobody answers prompts.
 */
final class JobHost implements ShellHost {
    static final int MAX_LINE = 64 * 1024;

    private final ShellJob.Output job;
    private final StringBuilder line = new StringBuilder();

    JobHost(ShellJob.Output job) {
        this.job = job;
    }

    @Override
    public synchronized void write(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                passLine();
            } else if (c != '\r') {
                line.append(c);
                if (line.length() >= MAX_LINE) {
                    passLine();
                }
            }
        }
    }

    /** Passes on the text of a last line left without its line break. */
    synchronized void flush() {
        if (!line.isEmpty()) {
            passLine();
        }
    }

    private void passLine() {
        job.write(line.toString());
        line.setLength(0);
    }

    @Override
    public void writeError(String text) {
        // the error's record has gone to the job already
    }

    @Override
    public void writeWarning(String text) {
        // not kept: see the class comment
    }

    @Override
    public int width() {
        return 120;
    }

    @Override
    public boolean interactive() {
        return false;
    }

    @Override
    public String readLine(String prompt) {
        return null;
    }
}
