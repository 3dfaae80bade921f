package dev.parvis.shell.runtime;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Method calls on values ({@code $s.Trim()}, {@code $h.ContainsKey('a')}, {@code (Get-VM).Where({...})}):
 * GetType, ToString and Equals on everything, then the methods of each kind of value. A method a
 * collection does not have is called on each element (member enumeration).
 */
public final class Methods {
    private Methods() {
    }

    public static Object invoke(Object target, String name, List<Object> args, MemberContext ctx) {
        String n = name.toLowerCase(Locale.ROOT);
        switch (n) {
            case "gettype" -> {
                return new ShellType(TypeNames.fullName(target));
            }
            case "tostring" -> {
                return args.isEmpty() ? Conversions.toShortString(target)
                        : FormatOperator.formatValue(target, Conversions.toShortString(args.get(0)));
            }
            case "equals" -> {
                return arity(args, 1, name) && Comparison.equal(target, args.get(0), false);
            }
            default -> {
                // the kind-specific methods below
            }
        }
        return switch (target) {
            case null -> throw new RuntimeError("You cannot call a method on a null-valued expression.",
                    ErrorCategory.INVALID_OPERATION, "InvokeMethodOnNull");
            case String s -> StringMethods.invoke(s, n, name, args);
            case ShellHashtable h -> hashtable(h, n, name, args);
            case Collection<?> c -> collection(c, n, name, args, ctx);
            case ScriptBlock b when n.equals("invoke") || n.equals("invokereturnasis") -> {
                List<Object> out = ctx.invoke(b, null, args);
                yield n.equals("invoke") ? new ShellArray(out) : out.size() == 1 ? out.get(0) : new ShellArray(out);
            }
            case LocalDateTime t -> dateTime(t, n, name, args);
            case Duration d -> duration(d, n, name, args);
            case Number num when n.equals("compareto") -> arity(args, 1, name) ? Comparison.compare(num, args.get(0), false) : 0;
            default -> throw notFound(target, name);
        };
    }

    private static Object hashtable(ShellHashtable h, String n, String name, List<Object> args) {
        return switch (n) {
            case "containskey" -> arity(args, 1, name) && h.containsKey(args.get(0));
            case "containsvalue" -> arity(args, 1, name) && h.values().stream().anyMatch(v -> Comparison.equal(v, args.get(0), false));
            case "add" -> {
                arity(args, 2, name);
                h.add(args.get(0), args.get(1));
                yield null;
            }
            case "remove" -> {
                arity(args, 1, name);
                h.remove(args.get(0));
                yield null;
            }
            case "clear" -> {
                h.clear();
                yield null;
            }
            case "clone" -> h.copy();
            case "getenumerator" -> {
                ShellArray out = new ShellArray();
                h.entries().forEach(e -> out.add(PSObject.of("System.Collections.DictionaryEntry", "[" + e.getKey() + ", " + e.getValue() + "]")
                        .add("Name", e.getKey()).add("Key", e.getKey()).add("Value", e.getValue())));
                yield out;
            }
            default -> throw notFound(h, name);
        };
    }

    private static Object collection(Collection<?> c, String n, String name, List<Object> args, MemberContext ctx) {
        switch (n) {
            case "contains" -> {
                return arity(args, 1, name) && c.stream().anyMatch(e -> Comparison.equal(e, args.get(0), false));
            }
            case "indexof" -> {
                arity(args, 1, name);
                int i = 0;
                for (Object e : c) {
                    if (Comparison.equal(e, args.get(0), false)) {
                        return i;
                    }
                    i++;
                }
                return -1;
            }
            case "where", "foreach" -> {
                return whereOrForEach(c, n, args, ctx);
            }
            case "add", "remove", "clear", "insert" -> throw new RuntimeError(
                    "Exception calling \"" + name + "\": \"Collection was of a fixed size.\" Use $array += $item to add.",
                    ErrorCategory.INVALID_OPERATION, "NotSupportedException");
            default -> {
                ShellArray out = new ShellArray();
                for (Object e : c) {
                    ctx.checkpoint();
                    out.add(invoke(e, name, args, ctx));
                }
                return out;
            }
        }
    }

    private static Object whereOrForEach(Collection<?> c, String n, List<Object> args, MemberContext ctx) {
        if (args.isEmpty() || !(args.get(0) instanceof ScriptBlock block)) {
            throw new RuntimeError("The " + (n.equals("where") ? "Where" : "ForEach") + "() method needs a script block.",
                    ErrorCategory.INVALID_ARGUMENT, "ScriptBlockArgumentRequired");
        }
        ShellArray out = new ShellArray();
        for (Object e : c) {
            List<Object> result = ctx.invoke(block, e, List.of());
            if (n.equals("foreach")) {
                out.addAll(result);
            } else if (Conversions.toBool(result.size() == 1 ? result.get(0) : new ShellArray(result))) {
                out.add(e);
            }
        }
        return out;
    }

    private static Object dateTime(LocalDateTime t, String n, String name, List<Object> args) {
        if (n.startsWith("add") && args.size() == 1) {
            double amount = Conversions.toDouble(args.get(0));
            return switch (n) {
                case "adddays" -> t.plusNanos((long) (amount * 86_400e9));
                case "addhours" -> t.plusNanos((long) (amount * 3_600e9));
                case "addminutes" -> t.plusNanos((long) (amount * 60e9));
                case "addseconds" -> t.plusNanos((long) (amount * 1e9));
                case "addmilliseconds" -> t.plusNanos((long) (amount * 1e6));
                case "addmonths" -> t.plusMonths((long) amount);
                case "addyears" -> t.plusYears((long) amount);
                case "add" -> t.plus((Duration) TypeConversion.convert(args.get(0), "System.TimeSpan"));
                default -> throw notFound(t, name);
            };
        }
        return switch (n) {
            case "subtract" -> arity(args, 1, name) ? Arithmetic.subtract(t, args.get(0)) : null;
            case "toshortdatestring" -> FormatOperator.formatValue(t, "MM/dd/yyyy");
            case "tolongdatestring" -> FormatOperator.formatValue(t, "dddd, MMMM d, yyyy");
            case "compareto" -> arity(args, 1, name) ? Comparison.compare(t, args.get(0), false) : 0;
            default -> throw notFound(t, name);
        };
    }

    private static Object duration(Duration d, String n, String name, List<Object> args) {
        return switch (n) {
            case "add" -> arity(args, 1, name) ? d.plus((Duration) TypeConversion.convert(args.get(0), "System.TimeSpan")) : null;
            case "subtract" -> arity(args, 1, name) ? d.minus((Duration) TypeConversion.convert(args.get(0), "System.TimeSpan")) : null;
            case "negate" -> d.negated();
            default -> throw notFound(d, name);
        };
    }

    /** The method names Get-Member lists for a value. */
    public static List<String> namesFor(Object target) {
        List<String> common = List.of("Equals", "GetType", "ToString");
        List<String> own = switch (target) {
            case String s -> List.of("CompareTo", "Contains", "EndsWith", "IndexOf", "Insert", "LastIndexOf", "PadLeft", "PadRight",
                    "Remove", "Replace", "Split", "StartsWith", "Substring", "ToCharArray", "ToLower", "ToUpper", "Trim", "TrimEnd", "TrimStart");
            case ShellHashtable h -> List.of("Add", "Clear", "Clone", "ContainsKey", "ContainsValue", "GetEnumerator", "Remove");
            case Collection<?> c -> List.of("Contains", "ForEach", "IndexOf", "Where");
            case ScriptBlock b -> List.of("Invoke", "InvokeReturnAsIs");
            case LocalDateTime t -> List.of("AddDays", "AddHours", "AddMilliseconds", "AddMinutes", "AddMonths", "AddSeconds", "AddYears",
                    "CompareTo", "Subtract", "ToLongDateString", "ToShortDateString");
            case Duration d -> List.of("Add", "Negate", "Subtract");
            case Number n -> List.of("CompareTo");
            case null, default -> List.of();
        };
        List<String> all = new java.util.ArrayList<>(own);
        all.addAll(common);
        all.sort(String.CASE_INSENSITIVE_ORDER);
        return all;
    }

    static boolean arity(List<Object> args, int n, String name) {
        if (args.size() != n) {
            throw new RuntimeError("Cannot find an overload for \"" + name + "\" and the argument count: \"" + args.size() + "\".",
                    ErrorCategory.INVALID_ARGUMENT, "MethodCountCouldNotFindBest");
        }
        return true;
    }

    static RuntimeError notFound(Object target, String name) {
        String type = target instanceof UUID ? "System.Guid" : TypeNames.fullName(target);
        return new RuntimeError("Method invocation failed because [" + type + "] does not contain a method named '" + name + "'.",
                ErrorCategory.INVALID_OPERATION, "MethodNotFound");
    }
}
