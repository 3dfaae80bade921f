package dev.parvis.shell.engine;

import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.runtime.Conversions;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.PSObject;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.shell.runtime.ScriptBlock;
import dev.parvis.shell.runtime.ShellArray;
import dev.parvis.shell.runtime.ShellHashtable;
import dev.parvis.shell.runtime.TypeNames;
import java.util.Collection;
import java.util.List;

/** Converts an argument to a command parameter's kind, with PowerShell's binding error messages. */
final class ParameterConverter {
    private ParameterConverter() {
    }

    static Object convert(ParameterSpec p, Object v) {
        try {
            return convertValue(p, v);
        } catch (RuntimeError e) {
            throw bindingError(p, e.getMessage());
        }
    }

    private static Object convertValue(ParameterSpec p, Object v) {
        return switch (p.kind()) {
            case SWITCH, BOOL -> Conversions.toBool(v);
            case STRING -> v == null ? null : Conversions.toShortString(single(p, v));
            case STRING_ARRAY -> strings(v);
            case INT -> Conversions.toInt(single(p, v));
            case LONG -> Conversions.toLong(single(p, v));
            case DOUBLE -> Conversions.toDouble(single(p, v));
            case OBJECT -> v;
            case OBJECT_ARRAY -> v == null ? null : v instanceof Collection<?> c ? new ShellArray(c) : ShellArray.of(v);
            case SCRIPTBLOCK -> single(p, v) instanceof ScriptBlock b ? b : fail(v, "System.Management.Automation.ScriptBlock");
            case SCRIPTBLOCK_ARRAY -> blocks(v);
            case HASHTABLE -> single(p, v) instanceof ShellHashtable h ? h : fail(v, "System.Collections.Hashtable");
            case CHOICE -> choice(p, Conversions.toShortString(single(p, v)));
            case TYPED_OBJECTS -> typed(p, v);
        };
    }

    /** Whether {@code input} fits the parameter without conversion (pipeline binding tries these first). */
    static boolean acceptsExactly(ParameterSpec p, Object input) {
        return switch (p.kind()) {
            case OBJECT, OBJECT_ARRAY -> true;
            case TYPED_OBJECTS -> input instanceof PSObject o && o.isA(p.objectType());
            case STRING, STRING_ARRAY, CHOICE -> input instanceof String;
            case INT, LONG, DOUBLE -> input instanceof Number;
            case SCRIPTBLOCK, SCRIPTBLOCK_ARRAY -> input instanceof ScriptBlock;
            case HASHTABLE -> input instanceof ShellHashtable;
            case SWITCH, BOOL -> input instanceof Boolean;
        };
    }

    private static Object single(ParameterSpec p, Object v) {
        if (v instanceof Collection<?> c) {
            if (c.size() == 1) {
                return c.iterator().next();
            }
            throw new RuntimeError("Cannot convert 'System.Object[]' to the type '" + p.kind().typeName()
                    + "' required by parameter '" + p.name() + "'. Specify a single value.", ErrorCategory.INVALID_ARGUMENT, "CannotConvertArgument");
        }
        return v;
    }

    private static ShellArray blocks(Object v) {
        ShellArray out = new ShellArray();
        for (Object o : v instanceof Collection<?> c ? c : List.of(v == null ? "" : v)) {
            out.add(o instanceof ScriptBlock b ? b : fail(o, "System.Management.Automation.ScriptBlock"));
        }
        return out;
    }

    private static List<String> strings(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof Collection<?> c) {
            return c.stream().map(Conversions::toShortString).toList();
        }
        return List.of(Conversions.toShortString(v));
    }

    private static String choice(ParameterSpec p, String s) {
        for (String c : p.choices()) {
            if (c.equalsIgnoreCase(s)) {
                return c;
            }
        }
        throw new RuntimeError("Cannot validate argument on parameter '" + p.name() + "'. The argument \"" + s
                + "\" does not belong to the set \"" + String.join(",", p.choices()) + "\". Supply an argument that is in the set and then try the command again.",
                ErrorCategory.INVALID_DATA, "ParameterArgumentValidationError");
    }

    private static ShellArray typed(ParameterSpec p, Object v) {
        ShellArray out = new ShellArray();
        for (Object o : v instanceof Collection<?> c ? c : List.of(v == null ? "" : v)) {
            if (!(o instanceof PSObject obj && obj.isA(p.objectType()))) {
                throw new RuntimeError("Cannot convert the \"" + Conversions.toShortString(o) + "\" value of type \"" + TypeNames.fullName(o)
                        + "\" to type \"" + p.objectType() + "\".", ErrorCategory.INVALID_ARGUMENT, "CannotConvertArgument");
            }
            out.add(o);
        }
        return out;
    }

    private static Object fail(Object v, String type) {
        throw Conversions.cannotConvert(v, type);
    }

    static RuntimeError bindingError(ParameterSpec p, String why) {
        return RuntimeError.of("ParameterBindingException", "Cannot bind parameter '" + p.name() + "'. " + why,
                ErrorCategory.INVALID_ARGUMENT, "CannotConvertArgumentNoMessage", null);
    }
}
