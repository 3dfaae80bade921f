package dev.parvis.shell.jobs;

import dev.parvis.shell.engine.ShellHost;
import dev.parvis.shell.engine.ShellSession;
import java.util.function.Function;

/** Makes the separate session a Start-Job script block runs in (PowerShell runs it in a runspace of its own). */
public record JobSessions(Function<ShellHost, ShellSession> factory) {
}
