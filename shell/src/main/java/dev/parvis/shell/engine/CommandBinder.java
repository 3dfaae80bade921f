package dev.parvis.shell.engine;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.CommonParameterSpecs;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.shell.syntax.EditDistance;
import dev.parvis.shell.syntax.PipelineElement;
import dev.parvis.shell.syntax.SourceSpan;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Binds a command line to a command's parameters, as PowerShell does: named parameters (a unique
 * prefix is enough), switches ({@code -Force}, {@code -Force:$false}), then positional arguments in
 * position order, converting each value to its parameter's kind; plus the common parameters.
 */
final class CommandBinder {
    private static final ParameterSpec ERROR_ACTION = CommonParameterSpecs.ERROR_ACTION;
    private static final ParameterSpec WARNING_ACTION = CommonParameterSpecs.WARNING_ACTION;
    private static final ParameterSpec WHAT_IF = CommonParameterSpecs.WHAT_IF;
    private static final ParameterSpec CONFIRM = CommonParameterSpecs.CONFIRM;

    record Result(BoundParameters parameters, CommonParameters common) {
    }

    private record Arg(Object value, SourceSpan span) {
    }

    private CommandBinder() {
    }

    static List<ParameterSpec> commonParameters(CommandSpec spec) {
        return CommonParameterSpecs.forCommand(spec);
    }

    static Result bind(CommandSpec spec, List<PipelineElement.CommandElement> elements, Frame f) {
        Map<String, Object> named = new LinkedHashMap<>();
        List<Arg> positional = new ArrayList<>();
        ExpressionEvaluator x = f.interpreter().expressions();
        for (int i = 0; i < elements.size(); i++) {
            PipelineElement.CommandElement e = elements.get(i);
            if (e instanceof PipelineElement.Argument a) {
                positional.add(new Arg(x.eval(a.value(), f), a.span()));
                continue;
            }
            PipelineElement.Parameter p = (PipelineElement.Parameter) e;
            ParameterSpec target = resolve(spec, p.name(), p.span());
            Object value;
            if (p.argument() != null) {
                value = x.eval(p.argument(), f);
            } else if (target.isSwitch()) {
                value = Boolean.TRUE;
            } else if (i + 1 < elements.size() && elements.get(i + 1) instanceof PipelineElement.Argument next) {
                value = x.eval(next.value(), f);
                i++;
            } else {
                throw bindError("Missing an argument for parameter '" + target.name() + "'. Specify a parameter of type '"
                        + target.kind().typeName() + "' and try again.", "MissingArgument", p.span());
            }
            if (named.containsKey(target.name())) {
                throw bindError("Cannot bind parameter because parameter '" + target.name() + "' is specified more than once.",
                        "ParameterAlreadyBound", p.span());
            }
            named.put(target.name(), convertAt(target, value, p.span()));
        }
        bindPositional(spec, named, positional);
        return split(spec, named);
    }

    /**
     * Binds positional arguments in position order. Several parameters may share a position
     * (Where-Object's FilterScript and Property): an argument goes to the first one it converts to.
     * Arguments left over go to a parameter that takes the remaining arguments, else are an error.
     */
    private static void bindPositional(CommandSpec spec, Map<String, Object> named, List<Arg> positional) {
        List<ParameterSpec> slots = spec.parameters().stream().filter(p -> p.position() >= 0 && !named.containsKey(p.name()))
                .sorted(Comparator.comparingInt(ParameterSpec::position)).toList();
        int next = 0;
        ParameterSpec remaining = null;
        List<Object> rest = new ArrayList<>();
        for (Arg a : positional) {
            if (remaining != null) {
                rest.add(a.value());
                continue;
            }
            ParameterSpec chosen = null;
            RuntimeError firstError = null;
            while (chosen == null && next < slots.size()) {
                int position = slots.get(next).position();
                List<ParameterSpec> candidates = slots.stream().filter(p -> p.position() == position).toList();
                for (ParameterSpec p : candidates) {
                    try {
                        named.put(p.name(), ParameterConverter.convert(p, a.value()));
                        chosen = p;
                        break;
                    } catch (RuntimeError e) {
                        firstError = firstError == null ? e : firstError;
                    }
                }
                next += candidates.size();
                if (chosen == null && firstError != null) {
                    throw firstError.at(a.span());
                }
            }
            if (chosen == null) {
                throw bindError("A positional parameter cannot be found that accepts argument '"
                        + dev.parvis.shell.runtime.Conversions.toDisplayString(a.value()) + "'.", "PositionalParameterNotFound", a.span());
            }
            if (chosen.remaining()) {
                remaining = chosen;
                rest.add(a.value());
            }
        }
        if (remaining != null) {
            named.put(remaining.name(), ParameterConverter.convert(remaining, rest.size() == 1 ? rest.get(0)
                    : new dev.parvis.shell.runtime.ShellArray(rest)));
        }
    }

    private static Object convertAt(ParameterSpec p, Object value, SourceSpan at) {
        try {
            return ParameterConverter.convert(p, value);
        } catch (RuntimeError e) {
            throw e.at(at);
        }
    }

    private static Result split(CommandSpec spec, Map<String, Object> named) {
        Object ea = named.remove(ERROR_ACTION.name());
        Object wa = named.remove(WARNING_ACTION.name());
        Object wi = named.remove(WHAT_IF.name());
        Object cf = named.remove(CONFIRM.name());
        return new Result(new BoundParameters(named),
                new CommonParameters((String) ea, (String) wa, (Boolean) wi, (Boolean) cf));
    }

    /** The parameter {@code written} names: exact name or alias first, then a unique prefix. */
    static ParameterSpec resolve(CommandSpec spec, String written, SourceSpan at) {
        List<ParameterSpec> all = new ArrayList<>(spec.parameters());
        all.addAll(commonParameters(spec));
        Optional<ParameterSpec> exact = all.stream().filter(p -> p.answersTo(written)).findFirst();
        if (exact.isPresent()) {
            return exact.get();
        }
        String w = written.toLowerCase(java.util.Locale.ROOT);
        List<ParameterSpec> prefixed = all.stream().filter(p -> names(p).stream().anyMatch(n -> n.toLowerCase(java.util.Locale.ROOT).startsWith(w)))
                .distinct().toList();
        if (prefixed.size() == 1) {
            return prefixed.get(0);
        }
        if (prefixed.size() > 1) {
            throw bindError("Parameter cannot be processed because the parameter name '" + written + "' is ambiguous. Possible matches include: "
                    + String.join(" ", prefixed.stream().map(p -> "-" + p.name()).toList()) + ".", "AmbiguousParameter", at);
        }
        String hint = all.stream().min(Comparator.comparingInt(p -> EditDistance.between(p.name(), written)))
                .filter(p -> EditDistance.between(p.name(), written) <= 3).map(p -> " Did you mean -" + p.name() + "?").orElse("");
        throw bindError("A parameter cannot be found that matches parameter name '" + written + "'." + hint, "NamedParameterNotFound", at);
    }

    private static List<String> names(ParameterSpec p) {
        List<String> n = new ArrayList<>(p.aliases());
        n.add(p.name());
        return n;
    }

    static RuntimeError bindError(String message, String id, SourceSpan at) {
        return RuntimeError.of("ParameterBindingException", message, ErrorCategory.INVALID_ARGUMENT, id, null).at(at);
    }
}
