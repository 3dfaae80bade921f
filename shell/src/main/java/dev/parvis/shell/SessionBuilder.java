package dev.parvis.shell;

import dev.parvis.shell.command.CommandTable;
import dev.parvis.shell.commands.UtilityCommands;
import dev.parvis.shell.engine.ExecutionBudget;
import dev.parvis.shell.engine.ShellHost;
import dev.parvis.shell.engine.ShellSession;
import dev.parvis.shell.hyperv.HostConnections;
import dev.parvis.shell.hyperv.HyperVCommands;
import dev.parvis.shell.hyperv.LocalHost;
import dev.parvis.shell.jobs.JobCommands;
import dev.parvis.shell.jobs.JobSessions;
import dev.parvis.shell.jobs.ShellJobs;

/**
 * Assembles a shell session: the host, the budget, every command module with its views, the
 * connections to hosts (by default: the local host service, or an in-process host, on the default
 * data directory, connected on first use) and the background jobs.
 */
public final class SessionBuilder {
    private final ShellHost host;
    private long maxSteps;
    private HostConnections hosts;
    private ShellJobs jobs;
    private ShellJobs parentJobs;

    public SessionBuilder(ShellHost host) {
        this.host = host;
    }

    /** Bounds each run to this many evaluation steps (0: no bound; for untrusted scripts). */
    public SessionBuilder maxSteps(long steps) {
        this.maxSteps = steps;
        return this;
    }

    /** The hosts the Hyper-V commands reach (shared by the sessions of one shell: jobs, the prompt). */
    public SessionBuilder hosts(HostConnections connections) {
        this.hosts = connections;
        return this;
    }

    /** Jobs the session uses and does not own (the shell's, shared by its prompt's sessions). */
    public SessionBuilder jobs(ShellJobs j) {
        this.jobs = j;
        return this;
    }

    /** For a job's session: jobs of its own, owned by it, counted in the bound of {@code parent}'s tree. */
    SessionBuilder jobsUnder(ShellJobs parent) {
        this.parentJobs = parent;
        return this;
    }

    /** The default connections: the data directory's host service when it runs, else a host in this process. */
    public static HostConnections defaultHosts() {
        return new HostConnections(() -> LocalHost.connect(LocalHost.Options.defaults()), LocalHost.Options.defaults().dataDirectory());
    }

    public ShellSession build() {
        CommandTable commands = HyperVCommands.register(UtilityCommands.register(new CommandTable()));
        JobCommands.all().forEach(commands::add);
        ShellSession session = new ShellSession(host, commands, new ExecutionBudget(maxSteps));
        UtilityCommands.registerViews(session.views());
        JobCommands.registerViews(session.views());
        HostConnections h = hosts != null ? hosts : defaultHosts();
        ShellJobs j = jobs != null ? jobs : parentJobs != null ? parentJobs.child() : new ShellJobs();
        HyperVCommands.install(session, h);
        session.addService(ShellJobs.class, j);
        // What the builder made, the session owns: closing it stops its jobs and closes its connections.
        if (jobs == null) {
            session.closeWith(j);
        }
        if (hosts == null) {
            session.closeWith(h);
        }
        // A job's session has jobs of its own, which end with it, as a PowerShell job's child jobs end with the job's process;
        // they count in the bound of this session's tree of jobs.
        session.addService(JobSessions.class, new JobSessions(jobHost -> new SessionBuilder(jobHost).maxSteps(maxSteps).hosts(h).jobsUnder(j).build()));
        return session;
    }
}
