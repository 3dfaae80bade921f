package dev.parvis.shell;

import dev.parvis.shell.command.CommandTable;
import dev.parvis.shell.commands.UtilityCommands;
import dev.parvis.shell.engine.ExecutionBudget;
import dev.parvis.shell.engine.ShellHost;
import dev.parvis.shell.engine.ShellSession;

/** Assembles a shell session: the host, the budget, and every command module with its views. */
public final class SessionBuilder {
    private final ShellHost host;
    private long maxSteps;

    public SessionBuilder(ShellHost host) {
        this.host = host;
    }

    /** Bounds each run to this many evaluation steps (0: no bound; for untrusted scripts). */
    public SessionBuilder maxSteps(long steps) {
        this.maxSteps = steps;
        return this;
    }

    public ShellSession build() {
        CommandTable commands = UtilityCommands.register(new CommandTable());
        ShellSession session = new ShellSession(host, commands, new ExecutionBudget(maxSteps));
        UtilityCommands.registerViews(session.views());
        return session;
    }
}
