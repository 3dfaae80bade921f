package dev.parvis.shell.runtime;

import java.util.Locale;

/**
 * Casts to .NET's integer types ({@code [sbyte]} to {@code [ulong]} and {@code [bigint]}) as
 * PowerShell does them (about_Type_Conversion): a number, numeric string, Boolean or $null is
 * converted, a Double rounded half to even ({@code [byte]2.5} is 2; a {@code [bigint]} cast
 * truncates instead, as PowerShell 7's does: {@code [bigint]1.9} is 1), and a value outside the
 * type is refused. The shell's integers are Int32 and Int64 only, so the result is the smallest of
 * them that holds the type ([sbyte], [byte], [short], [ushort] and [int] give an Int32; [uint],
 * [long], [ulong] and [bigint] an Int64), and a value the type holds but Int64 does not ([ulong]
 * above Int64.MaxValue, [bigint] beyond Int64) is refused with its own error, never wrapped.
 */
public enum IntegerCast {
    SBYTE("System.SByte", Byte.MIN_VALUE, Byte.MAX_VALUE),
    BYTE("System.Byte", 0, 255),
    INT16("System.Int16", Short.MIN_VALUE, Short.MAX_VALUE),
    UINT16("System.UInt16", 0, 65535),
    INT32("System.Int32", Integer.MIN_VALUE, Integer.MAX_VALUE),
    UINT32("System.UInt32", 0, 4294967295L),
    INT64("System.Int64", Long.MIN_VALUE, Long.MAX_VALUE),
    /** Its values above Int64.MaxValue have no stand-in here. */
    UINT64("System.UInt64", 0, Long.MAX_VALUE),
    /** Unbounded; only its values within Int64 have a stand-in here. */
    BIGINT("System.Numerics.BigInteger", Long.MIN_VALUE, Long.MAX_VALUE);

    private static final double TWO_TO_63 = 0x1p63;

    private final String fullName;
    /** The type's range within Int64. */
    private final long min;
    private final long max;

    IntegerCast(String fullName, long min, long max) {
        this.fullName = fullName;
        this.min = min;
        this.max = max;
    }

    /** The cast to the type named {@code fullName} (as {@link TypeConversion#canonicalName} gives it), or null for a type that is not an integer type. */
    public static IntegerCast of(String fullName) {
        for (IntegerCast c : values()) {
            if (c.fullName.equals(fullName)) {
                return c;
            }
        }
        return null;
    }

    /** {@code v} as this type's value: an Int32 for the types within Int32, else an Int64. */
    public Object convert(Object v) {
        Number n;
        try {
            n = Conversions.toNumber(v);
        } catch (RuntimeError e) {
            throw Conversions.cannotConvert(v, fullName);
        }
        long l = n instanceof Double d ? integral(v, d) : n.longValue();
        if (l < min || l > max) {
            throw Conversions.cannotConvert(v, fullName);
        }
        return wide() ? (Object) l : (Object) (int) l;
    }

    /** [type]::MinValue or ::MaxValue; [ulong]::MaxValue is beyond the shell's integers, [bigint] has neither. */
    public Object limit(String name) {
        boolean isMax = name.toLowerCase(Locale.ROOT).equals("maxvalue");
        if (this == BIGINT || this == UINT64 && isMax) {
            throw new RuntimeError("The static property '" + name + "' of [" + fullName + "] is not available in Parvis: "
                    + (this == BIGINT ? "the type has no limits." : "it is beyond Int64, the largest integer this shell has."),
                    ErrorCategory.INVALID_OPERATION, "StaticPropertyNotFound");
        }
        long l = isMax ? max : min;
        return wide() ? (Object) l : (Object) (int) l;
    }

    private boolean wide() {
        return max > Integer.MAX_VALUE;
    }

    /** A Double rounded (half to even; [bigint] truncates), refused when it is outside the type or, inside it, beyond Int64. */
    private long integral(Object v, double d) {
        double r = this == BIGINT ? (d < 0 ? Math.ceil(d) : Math.floor(d)) : Math.rint(d);
        boolean outside = switch (this) {
            case BIGINT -> false;
            case UINT64 -> r < 0 || r >= 2 * TWO_TO_63;
            default -> r < min || r > max || r >= TWO_TO_63;
        };
        if (Double.isNaN(r) || Double.isInfinite(r) || outside) {
            throw Conversions.cannotConvert(v, fullName);
        }
        if (r < -TWO_TO_63 || r >= TWO_TO_63) {
            throw beyondInt64(v);
        }
        return (long) r;
    }

    private RuntimeError beyondInt64(Object v) {
        return new RuntimeError("Cannot convert value \"" + Conversions.toShortString(v) + "\" to type \"" + fullName
                + "\": the value is beyond Int64, the largest integer this shell has (it has no " + fullName + " values beyond it).",
                ErrorCategory.INVALID_ARGUMENT, "InvalidCastBeyondInt64");
    }
}
