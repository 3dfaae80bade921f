package dev.parvis.shell.runtime;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Property access on values ({@code $vm.Name}, {@code $h.key}, {@code $s.Length}), with PowerShell's
 * member enumeration: a property a collection does not have is taken from each element
 * ({@code (Get-VM).Name}). Only the members listed here exist; no value ever exposes the JVM.
 */
public final class Members {
    private Members() {
    }

    public static Object get(Object target, String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return switch (target) {
            case null -> n.equals("count") || n.equals("length") ? 0 : null;
            case PSObject o -> o.has(name) ? o.get(name) : intrinsic(o, n);
            case ShellHashtable h -> hashtable(h, name, n);
            case Collection<?> c -> collection(c, name, n);
            case String s -> n.equals("length") ? s.length() : intrinsic(s, n);
            case ErrorRecord e -> ErrorRecordView.property(e, n);
            case Duration d -> TimeMembers.duration(d, n);
            case LocalDateTime t -> TimeMembers.dateTime(t, n);
            case EnumValue e -> n.equals("value__") ? e.value() : intrinsic(e, n);
            case ShellType t -> n.equals("name") ? t.name() : n.equals("fullname") ? t.fullName() : null;
            default -> intrinsic(target, n);
        };
    }

    /** Count and Length of a single object are 1 (PowerShell 3+). */
    private static Object intrinsic(Object target, String n) {
        return n.equals("count") || n.equals("length") ? 1 : null;
    }

    private static Object hashtable(ShellHashtable h, String name, String n) {
        if (h.containsKey(name)) {
            return h.get(name);
        }
        return switch (n) {
            case "count" -> h.size();
            case "keys" -> new ShellArray(h.keys());
            case "values" -> new ShellArray(h.values());
            default -> null;
        };
    }

    private static Object collection(Collection<?> c, String name, String n) {
        if (n.equals("count") || n.equals("length")) {
            return c.size();
        }
        List<Object> values = new ArrayList<>();
        for (Object e : c) {
            // One level, as PowerShell does: nested collections are not searched.
            Object v = e instanceof Collection<?> ? null : get(e, name);
            if (v instanceof Collection<?> inner) {
                values.addAll(inner);
            } else if (v != null) {
                values.add(v);
            }
            Limits.checkElements(values.size());
        }
        return values.isEmpty() ? null : values.size() == 1 ? values.get(0) : new ShellArray(values);
    }

    /** {@code target.name = value}: a PSObject's existing property or a hashtable's key. */
    public static void set(Object target, String name, Object value) {
        switch (target) {
            case PSObject o -> o.set(name, value);
            case ShellHashtable h -> h.put(name, value);
            case null -> throw new RuntimeError("The property '" + name + "' cannot be found on this object. Verify that the property exists and can be set.",
                    ErrorCategory.INVALID_OPERATION, "PropertyNotFound");
            default -> throw new RuntimeError("'" + name + "' is a ReadOnly property or does not exist on " + TypeNames.shortName(target) + ".",
                    ErrorCategory.INVALID_OPERATION, "PropertyAssignmentException");
        }
    }

    /** The property names Get-Member and Format-List show for a value. */
    public static List<String> propertyNames(Object target) {
        return switch (target) {
            case PSObject o -> o.propertyNames();
            case ShellHashtable h -> List.of("Count", "Keys", "Values");
            case Collection<?> c -> List.of("Count", "Length");
            case String s -> List.of("Length");
            case ErrorRecord e -> ErrorRecordView.PROPERTIES;
            case Duration d -> TimeMembers.DURATION_PROPERTIES;
            case LocalDateTime t -> TimeMembers.DATE_PROPERTIES;
            case ShellType t -> List.of("Name", "FullName");
            case null, default -> List.of();
        };
    }
}
