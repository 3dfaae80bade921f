package dev.parvis.shell.engine;

import dev.parvis.shell.runtime.Conversions;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.PSObject;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.shell.runtime.ShellArray;
import dev.parvis.shell.runtime.ShellHashtable;
import dev.parvis.shell.runtime.TypeConversion;
import dev.parvis.shell.syntax.ParameterAst;
import dev.parvis.shell.syntax.ScriptBlockAst;
import dev.parvis.shell.syntax.SourceSpan;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds a function's or script's declared parameters: named (unique prefix), switches, positional
 * in position order, type conversion, [ValidateSet], defaults evaluated in the new scope, mandatory
 * parameters (asked for at an interactive prompt); what is left over goes to {@code $args}.
 */
final class ScriptParameters {
    private final ScriptBlockAst body;
    private final Frame frame;

    ScriptParameters(ScriptBlockAst body, Frame frame) {
        this.body = body;
        this.frame = frame;
    }

    void bind(List<InvocationArgument> args) {
        Map<ParameterAst, Object> bound = new LinkedHashMap<>();
        List<Object> extra = new ArrayList<>();
        List<InvocationArgument> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            InvocationArgument a = args.get(i);
            if (!a.isNamed()) {
                positional.add(a);
                continue;
            }
            if (commonParameter(a, args, i)) {
                i += !a.hasValue() && i + 1 < args.size() && !args.get(i + 1).isNamed() ? 1 : 0;
                continue;
            }
            ParameterAst p = find(a.name(), a.span());
            if (p == null) {
                extra.add("-" + a.name());
                if (a.hasValue()) {
                    extra.add(a.value());
                }
                continue;
            }
            Object value;
            if (a.hasValue()) {
                value = a.value();
            } else if (p.isSwitch()) {
                value = Boolean.TRUE;
            } else if (i + 1 < args.size() && !args.get(i + 1).isNamed()) {
                value = args.get(++i).value();
            } else {
                throw CommandBinder.bindError("Missing an argument for parameter '" + p.name() + "'.", "MissingArgument", a.span());
            }
            bound.put(p, value);
        }
        for (InvocationArgument a : positional) {
            ParameterAst slot = nextPositional(bound);
            if (slot == null) {
                extra.add(a.value());
            } else {
                bound.put(slot, a.value());
            }
        }
        assign(bound);
        frame.scope().set("args", new ShellArray(extra));
    }

    /**
     * -ErrorAction and -WarningAction given to a function set its $ErrorActionPreference and
     * $WarningPreference (as for an advanced function); returns whether {@code a} was one.
     */
    private boolean commonParameter(InvocationArgument a, List<InvocationArgument> args, int i) {
        boolean ea = a.name().equalsIgnoreCase("ErrorAction") || a.name().equalsIgnoreCase("EA");
        boolean wa = a.name().equalsIgnoreCase("WarningAction") || a.name().equalsIgnoreCase("WA");
        if (!ea && !wa || body.parameters().stream().anyMatch(p -> p.name().equalsIgnoreCase(a.name()))) {
            return false;
        }
        Object value = a.hasValue() ? a.value() : i + 1 < args.size() && !args.get(i + 1).isNamed() ? args.get(i + 1).value() : null;
        String action = value == null ? "" : Conversions.toShortString(value);
        String known = CommonParameters.ACTIONS.stream().filter(x -> x.equalsIgnoreCase(action)).findFirst().orElseThrow(() ->
                CommandBinder.bindError("Cannot bind parameter '" + (ea ? "ErrorAction" : "WarningAction") + "': '" + action
                        + "' is not one of " + String.join(", ", CommonParameters.ACTIONS) + ".", "BadAction", a.span()));
        frame.scope().set(ea ? "ErrorActionPreference" : "WarningPreference", known);
        return true;
    }

    private ParameterAst find(String written, SourceSpan at) {
        for (ParameterAst p : body.parameters()) {
            if (p.name().equalsIgnoreCase(written)) {
                return p;
            }
        }
        List<ParameterAst> prefixed = body.parameters().stream()
                .filter(p -> p.name().toLowerCase(java.util.Locale.ROOT).startsWith(written.toLowerCase(java.util.Locale.ROOT))).toList();
        if (prefixed.size() == 1) {
            return prefixed.get(0);
        }
        if (prefixed.size() > 1) {
            throw CommandBinder.bindError("Parameter cannot be processed because the parameter name '" + written + "' is ambiguous.",
                    "AmbiguousParameter", at);
        }
        if (body.hasParamBlock()) {
            throw CommandBinder.bindError("A parameter cannot be found that matches parameter name '" + written + "'.",
                    "NamedParameterNotFound", at);
        }
        return null;
    }

    private ParameterAst nextPositional(Map<ParameterAst, Object> bound) {
        return body.parameters().stream()
                .filter(p -> !bound.containsKey(p) && !p.isSwitch())
                .min(Comparator.comparingInt(p -> p.position() == ParameterAst.NO_POSITION
                        ? 1000 + body.parameters().indexOf(p) : p.position()))
                .orElse(null);
    }

    private void assign(Map<ParameterAst, Object> bound) {
        ShellHashtable psBound = new ShellHashtable();
        for (ParameterAst p : body.parameters()) {
            Object value;
            if (bound.containsKey(p)) {
                value = convert(p, bound.get(p));
                psBound.put(p.name(), value);
            } else if (p.mandatory() && !p.fromPipeline() && !p.fromPipelineByPropertyName()) {
                value = convert(p, ask(p));
                psBound.put(p.name(), value);
            } else if (p.defaultValue() != null) {
                value = convert(p, frame.interpreter().expressions().eval(p.defaultValue(), frame));
            } else {
                value = p.isSwitch() ? Boolean.FALSE : null;
            }
            frame.scope().set(p.name(), value);
        }
        frame.scope().set("PSBoundParameters", psBound);
    }

    /** Sets the parameters that take pipeline input from {@code input}. */
    void bindPipeline(Object input) {
        for (ParameterAst p : body.parameters()) {
            if (p.fromPipeline()) {
                frame.scope().set(p.name(), convert(p, input));
            } else if (p.fromPipelineByPropertyName() && input instanceof PSObject o && o.has(p.name())) {
                frame.scope().set(p.name(), convert(p, o.get(p.name())));
            }
        }
    }

    private Object ask(ParameterAst p) {
        ShellHost host = frame.session().host();
        if (host.interactive()) {
            frame.session().beforeHostWrite();
            String answer = host.readLine("Supply values for the following parameters:\n" + p.name() + ": ");
            if (answer != null && !answer.isEmpty()) {
                return answer;
            }
        }
        throw RuntimeError.of("ParameterBindingException", "Cannot process command because of one or more missing mandatory parameters: "
                + p.name() + ".", ErrorCategory.INVALID_ARGUMENT, "MissingMandatoryParameter", null).at(p.span());
    }

    private Object convert(ParameterAst p, Object value) {
        Object v = value;
        if (p.type() != null) {
            String type = TypeConversion.canonicalName(p.type().name() + (p.type().array() ? "[]" : ""));
            try {
                v = TypeConversion.convert(value, type);
            } catch (RuntimeError e) {
                throw RuntimeError.of("ParameterBindingException", "Cannot process argument transformation on parameter '" + p.name()
                        + "'. " + e.getMessage(), ErrorCategory.INVALID_DATA, "ParameterArgumentTransformationError", value).at(p.span());
            }
        }
        if (!p.validateSet().isEmpty() && v != null) {
            String s = Conversions.toShortString(v);
            if (p.validateSet().stream().noneMatch(x -> x.equalsIgnoreCase(s))) {
                throw RuntimeError.of("ParameterBindingException", "Cannot validate argument on parameter '" + p.name() + "'. The argument \""
                        + s + "\" does not belong to the set \"" + String.join(",", p.validateSet()) + "\".",
                        ErrorCategory.INVALID_DATA, "ParameterArgumentValidationError", v).at(p.span());
            }
        }
        return v;
    }
}
