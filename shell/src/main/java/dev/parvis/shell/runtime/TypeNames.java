package dev.parvis.shell.runtime;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.UUID;

/** The .NET-style type name of each kind of value, for GetType(), Get-Member, -is and error messages. */
public final class TypeNames {
    private TypeNames() {
    }

    public static String fullName(Object v) {
        return switch (v) {
            case null -> "null";
            case String s -> "System.String";
            case Integer i -> "System.Int32";
            case Long l -> "System.Int64";
            case Double d -> "System.Double";
            case Boolean b -> "System.Boolean";
            case ShellArray a -> "System.Object[]";
            case ShellHashtable h -> "System.Collections.Hashtable";
            case PSObject o -> o.typeName();
            case ScriptBlock s -> "System.Management.Automation.ScriptBlock";
            case ErrorRecord e -> "System.Management.Automation.ErrorRecord";
            case Duration d -> "System.TimeSpan";
            case LocalDateTime d -> "System.DateTime";
            case UUID u -> "System.Guid";
            case EnumValue e -> e.typeName();
            case ShellType t -> "System.RuntimeType";
            default -> "System.Object";
        };
    }

    /** {@code String}, {@code Int32}, {@code VirtualMachine}. */
    public static String shortName(Object v) {
        return ShellTypeNames.simple(fullName(v));
    }
}
