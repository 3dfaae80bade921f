package dev.parvis.shell.engine;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.Pipe;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.ErrorRecord;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.shell.runtime.ScriptBlock;
import dev.parvis.shell.runtime.ScriptTerminatingError;
import dev.parvis.shell.syntax.SourceSpan;
import java.util.List;
import java.util.Locale;

/** The engine's side of {@link CommandContext} for one command in one pipeline run. */
final class EngineCommandContext implements CommandContext {
    private final Frame frame;
    private final CommandSpec spec;
    private final SourceSpan span;
    private final CommonParameters common;
    private final BoundParameters parameters;
    private final PipelineRun run;
    private final int stage;
    private boolean yesToAll;
    private boolean noToAll;

    EngineCommandContext(Frame frame, CommandSpec spec, SourceSpan span, CommonParameters common, BoundParameters parameters,
                         PipelineRun run, int stage) {
        this.frame = frame;
        this.spec = spec;
        this.span = span;
        this.common = common;
        this.parameters = parameters;
        this.run = run;
        this.stage = stage;
    }

    @Override
    public String commandName() {
        return spec.name();
    }

    @Override
    public void writeError(ErrorRecord error) {
        ErrorRecord r = error.commandName() == null ? error.withCommand(spec.name()) : error;
        if (!r.position().isKnown()) {
            r = r.withPosition(span);
        }
        run.markFailed();
        String action = common.errorAction() != null ? common.errorAction() : frame.session().errorActionPreference(frame);
        switch (action) {
            case "Stop" -> throw new ScriptTerminatingError(r);
            case "Ignore" -> { }
            case "SilentlyContinue" -> frame.session().recordError(r);
            default -> frame.session().reportError(r, frame);
        }
    }

    /** A Java exception from a command's code: a shell bug, logged and counted; the statement fails with an error. */
    RuntimeError internalError(RuntimeException e) {
        return frame.session().internalError(spec.name(), e);
    }

    @Override
    public void writeWarning(String message) {
        String action = common.warningAction() != null ? common.warningAction() : "Continue";
        if (!action.equals("SilentlyContinue") && !action.equals("Ignore")) {
            frame.session().beforeHostWrite();
            frame.session().host().writeWarning("WARNING: " + message);
        }
    }

    @Override
    public void writeHost(String text) {
        frame.session().beforeHostWrite();
        frame.session().host().write(text);
    }

    @Override
    public boolean shouldProcess(String target, String action) {
        boolean whatIf = common.whatIf() != null ? common.whatIf() : dev.parvis.shell.runtime.Conversions.toBool(frame.scope().get("WhatIfPreference"));
        if (whatIf && spec.changesState()) {
            writeHost("What if: Performing the operation \"" + action + "\" on target \"" + target + "\".\n");
            return false;
        }
        boolean ask = Boolean.TRUE.equals(common.confirm())
                || spec.highImpact() && common.confirm() == null && !parameters.flag("Force");
        return !ask || confirm(target, action);
    }

    @Override
    public boolean shouldContinue(String question, String unattended) {
        ShellHost host = frame.session().host();
        if (!host.interactive()) {
            throw new RuntimeError(unattended, ErrorCategory.INVALID_OPERATION, "ConfirmationNeeded");
        }
        frame.session().beforeHostWrite();
        while (true) {
            String answer = host.readLine("\n" + question + "\n[Y] Yes  [N] No (default is \"N\"): ");
            String a = answer == null ? "n" : answer.trim().toLowerCase(Locale.ROOT);
            if (a.equals("y") || a.equals("yes")) {
                return true;
            }
            if (a.isEmpty() || a.equals("n") || a.equals("no")) {
                return false;
            }
        }
    }

    @Override
    public void progress(String activity, String status, int percent, boolean done) {
        frame.session().host().progress(activity, status, percent, done);
    }

    private boolean confirm(String target, String action) {
        if (yesToAll) {
            return true;
        }
        if (noToAll) {
            return false;
        }
        ShellHost host = frame.session().host();
        if (!host.interactive()) {
            throw new RuntimeError(spec.name() + " asks for confirmation to " + action + " '" + target
                    + "', and no one can answer here: add -Force or -Confirm:$false.", ErrorCategory.INVALID_OPERATION, "ConfirmationNeeded");
        }
        frame.session().beforeHostWrite();
        host.write("\nConfirm\nAre you sure you want to perform this action?\nPerforming the operation \"" + action + "\" on target \""
                + target + "\".\n");
        while (true) {
            String answer = host.readLine("[Y] Yes  [A] Yes to All  [N] No  [L] No to All  [?] Help (default is \"Y\"): ");
            String a = answer == null ? "n" : answer.trim().toLowerCase(Locale.ROOT);
            switch (a) {
                case "", "y" -> {
                    return true;
                }
                case "a" -> {
                    yesToAll = true;
                    return true;
                }
                case "n" -> {
                    return false;
                }
                case "l" -> {
                    noToAll = true;
                    return false;
                }
                default -> host.write("Y - Continue with only the next step of the operation.\nA - Continue with all the steps of the operation.\n"
                        + "N - Skip this operation and proceed with the next operation.\nL - Skip this operation and all subsequent operations.\n");
            }
        }
    }

    @Override
    public List<Object> invoke(ScriptBlock block, Object dollarUnder, List<?> args) {
        CollectingPipe c = new CollectingPipe();
        frame.interpreter().scripts().runInCallerScope(block, frame, dollarUnder, args, c);
        return c.items();
    }

    @Override
    public void invokeTo(ScriptBlock block, Object dollarUnder, Pipe out) {
        frame.interpreter().scripts().runInCallerScope(block, frame, dollarUnder, List.of(), out);
    }

    @Override
    public void stopUpstream() {
        throw run.stopAt(stage);
    }

    @Override
    public void checkpoint() {
        frame.session().budget().step();
    }

    @Override
    public <T> T service(Class<T> type) {
        return frame.session().service(type);
    }

    @Override
    public Object variable(String name) {
        return frame.interpreter().variables().get(dev.parvis.shell.syntax.VariablePath.parse(name), frame);
    }

    @Override
    public void setVariable(String name, Object value) {
        frame.interpreter().variables().set(dev.parvis.shell.syntax.VariablePath.parse(name), value, frame);
    }
}
