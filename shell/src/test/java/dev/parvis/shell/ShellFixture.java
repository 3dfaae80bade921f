package dev.parvis.shell;

import dev.parvis.shell.engine.BufferHost;
import dev.parvis.shell.engine.RunResult;
import dev.parvis.shell.engine.ShellSession;
import dev.parvis.shell.hyperv.HostConnections;
import dev.parvis.shell.jobs.ShellJobs;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.shell.syntax.SourceText;
import java.nio.file.Path;
import java.util.List;

/** A session over a buffer host, for tests: run text, read what it printed. */
public final class ShellFixture {
    public final BufferHost host;
    public final ShellSession session;

    public ShellFixture() {
        this(new BufferHost(120, false), 0);
    }

    public ShellFixture(BufferHost host, long maxSteps) {
        this.host = host;
        this.session = new SessionBuilder(host).maxSteps(maxSteps).hosts(noHost()).build();
    }

    /** A session on {@code jobs}, which it does not own (as the interactive shell's sessions share the shell's). */
    public ShellFixture(ShellJobs jobs) {
        this.host = new BufferHost(120, false);
        this.session = new SessionBuilder(host).hosts(noHost()).jobs(jobs).build();
    }

    /** Unit tests reach no host: a Hyper-V command fails with an error instead of touching the user's data directory. */
    private static HostConnections noHost() {
        return new HostConnections(() -> {
            throw new RuntimeError("No host in the shell's unit tests.", ErrorCategory.CONNECTION_ERROR, "NoHost");
        }, Path.of(System.getProperty("java.io.tmpdir"), "parvis-shell-unit-tests"));
    }

    /** Runs {@code script}; returns its output text without trailing whitespace, errors excluded. */
    public String out(String script) {
        host.clear();
        session.run(SourceText.interactive(script));
        return host.output().stripTrailing();
    }

    public RunResult run(String script) {
        host.clear();
        return session.run(SourceText.interactive(script));
    }

    /** The objects {@code script} outputs. */
    public List<Object> values(String script) {
        host.clear();
        return session.invoke(script);
    }

    public String errors() {
        return host.errors();
    }
}
