package dev.parvis.shell.engine;

import dev.parvis.shell.command.CommandTable;
import dev.parvis.shell.command.Pipe;
import dev.parvis.shell.format.FormatViews;
import dev.parvis.shell.format.OutDefault;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.ErrorRecord;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.shell.runtime.ShellArray;
import dev.parvis.shell.syntax.EditDistance;
import dev.parvis.shell.syntax.ParseException;
import dev.parvis.shell.syntax.ScriptBlockAst;
import dev.parvis.shell.syntax.ScriptParser;
import dev.parvis.shell.syntax.SourceText;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * One shell session: the global scope, the commands, the host, the services commands use, and
 * {@link #run} for a typed line or a script. A run never lets an error escape: parse errors,
 * terminating errors, Ctrl-C, an exhausted budget, even a stack or memory exhaustion are reported
 * to the host and end that run only. {@link #close} ends the session and what it owns (its jobs).
 */
public final class ShellSession implements AutoCloseable {
    private static final int MAX_ERRORS = 256;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ShellSession.class);

    private final ShellHost host;
    private final CommandTable commands;
    private final ExecutionBudget budget;
    private final Interpreter interpreter = new Interpreter(this);
    private final Scope global = new Scope(null, true);
    private final Map<Class<?>, Object> services = new HashMap<>();
    private final Map<String, String> environment = new HashMap<>();
    private final ShellArray errors = new ShellArray();
    private final ScriptFiles scriptFiles = new ScriptFiles(this::parse);
    private final FormatViews views = new FormatViews();
    private final List<String> knownTypes = new ArrayList<>();
    private OutDefault activeOutput;
    private String promptPrefix = "";
    private boolean lastSuccess = true;
    private int internalErrors;
    private int tryDepth;
    private final List<AutoCloseable> owned = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean closed;
    /** Where the errors this session reports go besides the host and $Error (a job's error stream). */
    private volatile Consumer<ErrorRecord> errorStream = r -> { };

    public ShellSession(ShellHost host, CommandTable commands, ExecutionBudget budget) {
        this.host = host;
        this.commands = commands;
        this.budget = budget;
        global.setConstant("Error", errors);
        global.set("ErrorActionPreference", "Continue");
        global.set("WhatIfPreference", Boolean.FALSE);
        global.set("HOME", System.getProperty("user.home", ""));
        global.set("PWD", System.getProperty("user.dir", ""));
        global.set("PID", ProcessHandle.current().pid());
        global.set("PSVersionTable", versionTable());
        addService(CommandTable.class, commands);
        addService(FormatViews.class, views);
        addService(ShellHost.class, host);
        addService(ShellSession.class, this);
        addService(dev.parvis.shell.command.ArgumentCompletions.class, new dev.parvis.shell.command.ArgumentCompletions());
    }

    private static dev.parvis.shell.runtime.ShellHashtable versionTable() {
        var t = new dev.parvis.shell.runtime.ShellHashtable();
        t.put("PSVersion", "7.4-parvis");
        t.put("PSEdition", "Parvis");
        t.put("Platform", System.getProperty("os.name"));
        return t;
    }

    /** Runs typed input in the global scope, output formatted to the host. */
    public RunResult run(SourceText source) {
        return run(source, false, List.of());
    }

    /** Runs a script file's text in its own script scope with its command-line arguments (-File). */
    public RunResult runScript(SourceText source, List<String> args) {
        return run(source, true, args);
    }

    private RunResult run(SourceText source, boolean scriptScope, List<String> args) {
        startRun();
        tryDepth = 0;
        OutDefault out = new OutDefault(views, host.width(), line -> host.write(line + "\n"), ErrorView::format);
        activeOutput = out;
        try {
            ScriptBlockAst ast = parse(source);
            Frame f = new Frame(this, global);
            new PipelineRun(List.of(new ScriptStage(interpreter, f, ast, ScriptArguments.parse(args, source), !scriptScope, scriptScope,
                    Map.of())), out, budget).run();
            return new RunResult(0, lastSuccess, false);
        } catch (ControlFlow.Exit e) {
            lastSuccess = e.code() == 0;
            return new RunResult(e.code(), e.code() == 0, true);
        } catch (ControlFlow e) {
            return new RunResult(0, lastSuccess, false);
        } catch (RuntimeException e) {
            reportFailure(e, source, out);
            return failed();
        } catch (StackOverflowError e) {
            host.writeError("The script is nested too deeply to run (the shell's stack is exhausted).\n");
            return failed();
        } catch (OutOfMemoryError e) {
            host.writeError("The script ran out of memory; its data has been released.\n");
            return failed();
        } finally {
            activeOutput = null;
            try {
                out.end();
            } catch (RuntimeException | StackOverflowError e) {
                host.writeError("Could not format the output: " + e + "\n");
            }
        }
    }

    /** Tells the host why a run failed: the error's record, the reason the pipeline was stopped, or an internal error. */
    private void reportFailure(RuntimeException failure, SourceText source, OutDefault out) {
        switch (failure) {
            case ParseException e -> report(parseError(e).record());
            case RuntimeError e -> report(e.record());
            case PipelineStoppedException e -> {
                out.flush();
                host.writeError(e.getMessage() + "\n");
            }
            default -> {
                internalErrors++;
                LOG.error("internal error running {}", source.name().isEmpty() ? "typed input" : source.name(), failure);
                host.writeError("Internal error in the shell (" + failure + "); the session goes on.\n");
            }
        }
    }

    private RunResult failed() {
        lastSuccess = false;
        return new RunResult(1, false, false);
    }

    /** Runs {@code text} and returns its output objects instead of formatting them (tests, embedding); errors still go to the host. */
    public List<Object> invoke(String text) {
        startRun();
        CollectingPipe out = new CollectingPipe();
        ScriptBlockAst ast = parse(SourceText.interactive(text));
        try {
            new PipelineRun(List.of(new ScriptStage(interpreter, new Frame(this, global), ast, List.of(), true, false, Map.of())),
                    out, budget).run();
        } catch (ControlFlow e) {
            // break/continue/exit at the top: the run ends
        }
        return out.items();
    }

    /**
     * Runs {@code text} as a script block of its own scope with {@code args} as its positional
     * arguments ($args or its param block); returns its output. Errors go to the host and $Error.
     */
    public List<Object> invoke(String text, List<Object> args) {
        CollectingPipe out = new CollectingPipe();
        invoke(text, args, out);
        return out.items();
    }

    /** The same, each output object written to {@code out} as the script writes it (a job's output). */
    public void invoke(String text, List<Object> args, Pipe out) {
        startRun();
        List<InvocationArgument> bound = new ArrayList<>();
        for (Object a : args) {
            bound.add(InvocationArgument.positional(a, null));
        }
        try {
            ScriptBlockAst ast = parse(SourceText.interactive(text));
            new PipelineRun(List.of(new ScriptStage(interpreter, new Frame(this, global), ast, bound, false, true, Map.of())),
                    out, budget).run();
        } catch (ParseException e) {
            report(parseError(e).record());
        } catch (RuntimeError e) {
            report(e.record());
        } catch (ControlFlow e) {
            // exit/break at the top end the run
        }
    }

    /** Clears the last run's cancel and counts; a closed session's run is cancelled from its start (see {@link #close}). */
    private void startRun() {
        budget.reset();
        if (closed) {
            budget.cancel();
        }
    }

    /** Parses {@code source} so that a cancel (Ctrl-C) also stops a slow parse, with the message a stopped pipeline gives. */
    ScriptBlockAst parse(SourceText source) {
        return ScriptParser.parse(source, budget::checkCancelled);
    }

    /** Stops the running pipeline or parse (Ctrl-C); safe from any thread. */
    public void cancel() {
        budget.cancel();
    }

    /** Closes {@code resource} when this session closes: what the session made for itself (its jobs, its host connections). */
    public void closeWith(AutoCloseable resource) {
        owned.add(resource);
    }

    /**
     * Ends the session; safe from any thread. A run in progress stops as by Ctrl-C and any later run
     * stops before its first step; what the session owns is closed, so its background jobs stop (in
     * PowerShell too, a session's jobs end with it). Jobs of a shell-wide job list (-File, the prompt)
     * end with the process instead.
     */
    @Override
    public void close() {
        closed = true;
        budget.cancel();
        for (AutoCloseable r : owned) {
            try {
                r.close();
            } catch (Exception e) {
                LOG.warn("closing {} with its session failed", r, e);
            }
        }
        owned.clear();
    }

    static RuntimeError parseError(ParseException e) {
        return new RuntimeError(new ErrorRecord(e.getMessage(), "ParseException", ErrorCategory.PARSER_ERROR,
                e.incomplete() ? "IncompleteParseException" : "ParseException", null, null, e.span()));
    }

    // ------------------------------------------------------------------ errors

    /** Records an error in $Error and shows it. */
    void reportError(ErrorRecord r, Frame f) {
        report(r);
    }

    /**
     * Sends each error this session reports (the ones shown, not those silenced or caught) to
     * {@code stream} too, as it is reported: how a Start-Job script's errors reach its job.
     */
    public void streamErrorsTo(Consumer<ErrorRecord> stream) {
        errorStream = stream;
    }

    private void report(ErrorRecord r) {
        recordError(r);
        errorStream.accept(r);
        beforeHostWrite();
        host.writeError(ErrorView.format(r));
    }

    void recordError(ErrorRecord r) {
        errors.add(0, r);
        if (errors.size() > MAX_ERRORS) {
            errors.remove(errors.size() - 1);
        }
    }

    /** Rows a table is holding go out before other text reaches the screen. */
    void beforeHostWrite() {
        if (activeOutput != null) {
            activeOutput.flush();
        }
    }

    String errorActionPreference(Frame f) {
        Object v = f.scope().get("ErrorActionPreference");
        String s = v == null ? "Continue" : dev.parvis.shell.runtime.Conversions.toShortString(v);
        return CommonParameters.ACTIONS.stream().filter(a -> a.equalsIgnoreCase(s)).findFirst().orElse("Continue");
    }

    RuntimeError commandNotFound(String name, Frame f) {
        List<String> names = Stream.concat(Stream.concat(commands.all().stream().map(d -> d.spec().name()),
                commands.aliases().keySet().stream()), f.scope().functionNames().stream()).toList();
        String best = names.stream().min(Comparator.comparingInt(n -> EditDistance.between(n, name))).orElse(null);
        String hint = best != null && EditDistance.between(best, name) <= Math.max(2, name.length() / 4) ? " Did you mean '" + best + "'?" : "";
        return PipelineRunner.notRecognized(name, hint);
    }

    // ------------------------------------------------------------------ state

    void enterTry() {
        tryDepth++;
    }

    void exitTry() {
        tryDepth--;
    }

    boolean insideTry() {
        return tryDepth > 0;
    }

    boolean lastSuccess() {
        return lastSuccess;
    }

    void setLastSuccess(boolean ok) {
        lastSuccess = ok;
    }

    String environment(String name) {
        return environment.containsKey(name) ? environment.get(name) : System.getenv(name);
    }

    void setEnvironment(String name, String value) {
        environment.put(name, value);
    }

    Interpreter interpreter() {
        return interpreter;
    }

    ExecutionBudget budget() {
        return budget;
    }

    ScriptFiles scriptFiles() {
        return scriptFiles;
    }

    boolean knowsType(String fullName) {
        return knownTypes.stream().anyMatch(t -> t.equalsIgnoreCase(fullName));
    }

    /** Makes {@code [fullName]} usable in casts and -is (object types that modules define). */
    public void addKnownType(String fullName) {
        knownTypes.add(fullName);
    }

    public ShellHost host() {
        return host;
    }

    public CommandTable commands() {
        return commands;
    }

    public FormatViews views() {
        return views;
    }

    public <T> void addService(Class<T> type, T service) {
        services.put(type, service);
    }

    public <T> T service(Class<T> type) {
        Object s = services.get(type);
        if (s == null) {
            throw new RuntimeError("This session has no " + type.getSimpleName() + ".", ErrorCategory.RESOURCE_UNAVAILABLE, "ServiceUnavailable");
        }
        return type.cast(s);
    }

    /** The prompt, "PS> " or "[host]: PS> " in a remote session. */
    public String prompt() {
        return promptPrefix + "PS> ";
    }

    /** Sets what precedes "PS> " (Enter-PSSession sets "[host]: "). */
    public void setPromptPrefix(String prefix) {
        this.promptPrefix = prefix;
    }

    /** Names of the functions defined at the prompt (for completion and Get-Command). */
    public List<String> functionNames() {
        return global.functionNames();
    }

    /** Names of the variables visible at the prompt (for completion). */
    public List<String> variableNames() {
        return global.visibleNames();
    }

    /** The value of a global variable (for the front ends). */
    public Object globalVariable(String name) {
        return global.get(name);
    }

    /** A function's declared parameter names (for completion), empty when there is no such function. */
    public List<String> functionParameters(String name) {
        var d = global.findFunction(name);
        return d == null ? List.of() : d.body().parameters().stream().map(p -> p.name()).toList();
    }

    RuntimeError internalError(String command, RuntimeException e) {
        internalErrors++;
        LOG.error("internal error in {}", command, e);
        return new RuntimeError("Internal error in " + command + " (" + e + "); please report it.", ErrorCategory.NOT_SPECIFIED,
                "InternalError");
    }

    /** How many runs ended in a shell bug (an unexpected Java exception) rather than a script error. */
    public int internalErrors() {
        return internalErrors;
    }

    /** Errors reported so far, newest first ($Error). */
    public List<ErrorRecord> errors() {
        return errors.stream().map(ErrorRecord.class::cast).toList();
    }

    /** Wraps a terminating error from a front end's own work (e.g. reading a script file) as a reported error. */
    public RunResult reportFailure(String message) {
        report(new ErrorRecord(message, "RuntimeException", ErrorCategory.INVALID_OPERATION, "ShellError", null, null, null));
        return failed();
    }
}
