package dev.parvis.shell.runtime;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Static members of the few types scripts reach for: {@code [math]}, the integer types' ({@link IntegerCast}) and
 * {@code [double]}'s limits, {@code [datetime]::Now}, {@code [timespan]::FromSeconds}, {@code [guid]},
 * {@code [string]}, {@code [regex]}, {@code [System.IO.Path]}, {@code [Environment]},
 * {@code [scriptblock]::Create}. Nothing else: a script cannot reach arbitrary platform classes.
 */
public final class StaticMembers {
    private StaticMembers() {
    }

    public static Object get(ShellType type, String name) {
        IntegerCast integer = IntegerCast.of(type.fullName());
        if (integer != null && (name.equalsIgnoreCase("MaxValue") || name.equalsIgnoreCase("MinValue"))) {
            return integer.limit(name);
        }
        String key = type.fullName() + "::" + name.toLowerCase(Locale.ROOT);
        return switch (key) {
            case "System.Math::pi" -> Math.PI;
            case "System.Math::e" -> Math.E;
            case "System.Double::maxvalue" -> Double.MAX_VALUE;
            case "System.Double::minvalue" -> -Double.MAX_VALUE;
            case "System.Double::nan" -> Double.NaN;
            case "System.DateTime::now" -> LocalDateTime.now();
            case "System.DateTime::utcnow" -> LocalDateTime.now(java.time.ZoneOffset.UTC);
            case "System.DateTime::today" -> LocalDate.now().atStartOfDay();
            case "System.TimeSpan::zero" -> Duration.ZERO;
            case "System.Guid::empty" -> new UUID(0, 0);
            case "System.String::empty" -> "";
            case "System.Environment::newline" -> "\n";
            case "System.Environment::machinename" -> hostName();
            case "System.Environment::username" -> System.getProperty("user.name", "");
            case "System.Environment::processorcount" -> Runtime.getRuntime().availableProcessors();
            default -> throw new RuntimeError("The static property '" + name + "' of " + type + " is not available in Parvis.",
                    ErrorCategory.INVALID_OPERATION, "StaticPropertyNotFound");
        };
    }

    public static Object invoke(ShellType type, String name, List<Object> a, MemberContext ctx) {
        try {
            return call(type, name, a, ctx);
        } catch (java.nio.file.InvalidPathException e) {
            throw new RuntimeError("The path is not valid: " + e.getReason() + ".", ErrorCategory.INVALID_ARGUMENT, "InvalidPath");
        }
    }

    private static Object call(ShellType type, String name, List<Object> a, MemberContext ctx) {
        String method = name.toLowerCase(Locale.ROOT);
        return switch (type.fullName()) {
            case "System.Math" -> math(type, name, method, a);
            case "System.TimeSpan" -> timeSpan(type, name, method, a);
            case "System.String" -> string(type, name, method, a);
            case "System.IO.Path" -> path(type, name, method, a);
            default -> other(type, name, method, a, ctx);
        };
    }

    private static Object math(ShellType type, String name, String method, List<Object> a) {
        return switch (method) {
            case "round" -> round(a);
            case "floor" -> Math.floor(d(a, 0));
            case "ceiling" -> Math.ceil(d(a, 0));
            case "truncate" -> (double) (long) d(a, 0);
            case "abs" -> a.size() == 1 && !(a.get(0) instanceof Double) ? absInteger(a.get(0)) : Math.abs(d(a, 0));
            case "max" -> Comparison.compare(arg(a, 1), arg(a, 0), false) > 0 ? a.get(1) : a.get(0);
            case "min" -> Comparison.compare(arg(a, 1), arg(a, 0), false) < 0 ? a.get(1) : a.get(0);
            case "pow" -> Math.pow(d(a, 0), d(a, 1));
            case "sqrt" -> Math.sqrt(d(a, 0));
            case "log" -> a.size() > 1 ? Math.log(d(a, 0)) / Math.log(d(a, 1)) : Math.log(d(a, 0));
            case "log10" -> Math.log10(d(a, 0));
            case "exp" -> Math.exp(d(a, 0));
            case "sign" -> (int) Math.signum(d(a, 0));
            default -> throw methodNotFound(type, name);
        };
    }

    private static Object timeSpan(ShellType type, String name, String method, List<Object> a) {
        return switch (method) {
            case "fromseconds" -> Duration.ofNanos((long) (d(a, 0) * 1e9));
            case "fromminutes" -> Duration.ofNanos((long) (d(a, 0) * 60e9));
            case "fromhours" -> Duration.ofNanos((long) (d(a, 0) * 3_600e9));
            case "fromdays" -> Duration.ofNanos((long) (d(a, 0) * 86_400e9));
            case "frommilliseconds" -> Duration.ofNanos((long) (d(a, 0) * 1e6));
            case "parse" -> TypeConversion.convert(text(a, 0), "System.TimeSpan");
            default -> throw methodNotFound(type, name);
        };
    }

    private static Object string(ShellType type, String name, String method, List<Object> a) {
        return switch (method) {
            case "isnullorempty" -> arg(a, 0) == null || text(a, 0).isEmpty();
            case "isnullorwhitespace" -> arg(a, 0) == null || text(a, 0).isBlank();
            case "join" -> join(a);
            case "concat" -> Operators.join(new ShellArray(a), "");
            case "format" -> FormatOperator.format(text(a, 0), a.size() == 2 ? Operators.asList(a.get(1)) : a.subList(1, a.size()));
            default -> throw methodNotFound(type, name);
        };
    }

    /** [string]::Join(separator, values...) or (separator, array); the separator is checked first, as for every method. */
    private static Object join(List<Object> a) {
        String separator = text(a, 0);
        return Operators.join(a.size() == 2 ? a.get(1) : new ShellArray(a.subList(1, a.size())), separator);
    }

    private static Object path(ShellType type, String name, String method, List<Object> a) {
        return switch (method) {
            case "combine" -> combine(a);
            case "getfilename" -> fileName(text(a, 0));
            case "getextension" -> extension(text(a, 0));
            case "getfilenamewithoutextension" -> stripExtension(fileName(text(a, 0)));
            case "getdirectoryname" -> parent(text(a, 0));
            case "gettemppath" -> System.getProperty("java.io.tmpdir") + "/";
            case "getfullpath" -> Path.of(text(a, 0)).toAbsolutePath().normalize().toString();
            default -> throw methodNotFound(type, name);
        };
    }

    /** The types with one or two methods each: parsing numbers, dates and GUIDs, regexes, the environment, script blocks. */
    private static Object other(ShellType type, String name, String method, List<Object> a, MemberContext ctx) {
        return switch (type.fullName() + "::" + method) {
            case "System.Int32::parse" -> Conversions.toInt(text(a, 0));
            case "System.Int64::parse" -> Conversions.toLong(text(a, 0));
            case "System.Double::parse" -> Conversions.toDouble(text(a, 0));
            case "System.DateTime::parse" -> TypeConversion.convert(text(a, 0), "System.DateTime");
            case "System.Guid::newguid" -> UUID.randomUUID();
            case "System.Guid::parse" -> TypeConversion.convert(text(a, 0), "System.Guid");
            case "System.Text.RegularExpressions.Regex::escape" -> text(a, 0).replaceAll("([\\\\.\\[\\]{}()*+?^$|#\\s-])", "\\\\$1");
            case "System.Text.RegularExpressions.Regex::ismatch" -> Regexes.guarded(() ->
                    Regexes.matcher(Regexes.compile(text(a, 1), true), text(a, 0), ctx).find());
            case "System.Environment::getenvironmentvariable" -> System.getenv(text(a, 0));
            case "System.Management.Automation.ScriptBlock::create" -> ctx.parse(text(a, 0));
            default -> throw methodNotFound(type, name);
        };
    }

    private static RuntimeError methodNotFound(ShellType type, String name) {
        return new RuntimeError("Method invocation failed because [" + type + "] does not contain a method named '"
                + name + "' in Parvis.", ErrorCategory.INVALID_OPERATION, "MethodNotFound");
    }

    /** Math.Round rounds half to even, like .NET; with digits, to that many decimals. */
    private static Object round(List<Object> a) {
        double v = d(a, 0);
        if (a.size() > 1) {
            int digits = Conversions.toInt(a.get(1));
            if (digits < 0 || digits > 15) {
                throw new RuntimeError("Rounding digits must be between 0 and 15.", ErrorCategory.INVALID_ARGUMENT, "ArgumentOutOfRange");
            }
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                return v;
            }
            return BigDecimal.valueOf(v).setScale(digits, RoundingMode.HALF_EVEN).doubleValue();
        }
        return Math.rint(v);
    }

    private static Object absInteger(Object v) {
        Number n = Conversions.toNumber(v);
        return n instanceof Integer i && i != Integer.MIN_VALUE ? (Object) Math.abs(i) : n instanceof Double x ? (Object) Math.abs(x)
                : (Object) Math.abs(n.longValue());
    }

    private static Object arg(List<Object> a, int i) {
        if (i >= a.size()) {
            throw new RuntimeError("Cannot find an overload with " + a.size() + " arguments.", ErrorCategory.INVALID_ARGUMENT,
                    "MethodCountCouldNotFindBest");
        }
        return a.get(i);
    }

    private static double d(List<Object> a, int i) {
        return Conversions.toDouble(arg(a, i));
    }

    private static String text(List<Object> a, int i) {
        return Conversions.toShortString(arg(a, i));
    }

    private static String combine(List<Object> a) {
        Path p = Path.of(text(a, 0));
        for (int i = 1; i < a.size(); i++) {
            p = p.resolve(text(a, i));
        }
        return p.toString();
    }

    private static String fileName(String p) {
        int slash = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
        return p.substring(slash + 1);
    }

    private static String extension(String p) {
        String f = fileName(p);
        int dot = f.lastIndexOf('.');
        return dot < 0 ? "" : f.substring(dot);
    }

    private static String stripExtension(String f) {
        int dot = f.lastIndexOf('.');
        return dot < 0 ? f : f.substring(0, dot);
    }

    private static String parent(String p) {
        int slash = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
        return slash < 0 ? "" : p.substring(0, slash);
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
