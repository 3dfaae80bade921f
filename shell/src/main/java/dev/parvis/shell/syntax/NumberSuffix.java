package dev.parvis.shell.syntax;

import java.math.BigInteger;

/**
 * A number literal's type suffix (about_Numeric_Literals): the .NET type it names, that type's
 * range (a value outside it makes the literal malformed, as in PowerShell), where a hexadecimal
 * literal's top digit is a sign, and the value this shell gives it. The shell's numbers are Int32,
 * Int64 and Double, so a suffixed literal is what a cast to its type gives here ([byte] and
 * [int16] are Int32, [uint32] Int64, [decimal] Double; see TypeConversion): the value is
 * PowerShell's, the type the shell's stand-in, and a value no Int64 holds ([ulong] or [bigint]
 * beyond it) is refused.
 */
enum NumberSuffix {
    NONE("", null, null, Kind.SMALLEST),
    LONG("l", Long.MIN_VALUE, Long.MAX_VALUE, Kind.INT64),
    SBYTE("y", -128L, 127L, Kind.INT32),
    BYTE("uy", 0L, 255L, Kind.INT32),
    SHORT("s", -32_768L, 32_767L, Kind.INT32),
    USHORT("us", 0L, 65_535L, Kind.INT32),
    UINT("u", 0L, null, Kind.INT64),
    ULONG("ul", 0L, null, Kind.INT64),
    BIGINT("n", null, null, Kind.INT64),
    DECIMAL("d", null, null, Kind.DOUBLE);

    /** What the shell makes of a literal with this suffix: the narrowest of Int32 and Int64, one of them, or a Double. */
    enum Kind { SMALLEST, INT32, INT64, DOUBLE }

    /** Longest first, so that 'ul' is not read as 'l'. */
    private static final NumberSuffix[] BY_LENGTH = {ULONG, BYTE, USHORT, UINT, SBYTE, SHORT, BIGINT, DECIMAL, LONG};

    final String text;
    /** The .NET type's range; null where it has no bound below Int64's (the stand-in's range is checked apart). */
    final BigInteger min;
    final BigInteger max;
    final Kind kind;

    NumberSuffix(String text, Long min, Long max, Kind kind) {
        this.text = text;
        this.min = min == null ? null : BigInteger.valueOf(min);
        this.max = max == null ? null : BigInteger.valueOf(max);
        this.kind = kind;
    }

    /** The suffix {@code s} (lower case, multiplier removed) ends with; in hexadecimal, 'd' is a digit. */
    static NumberSuffix of(String s) {
        boolean hex = s.startsWith("0x");
        for (NumberSuffix x : BY_LENGTH) {
            if (s.endsWith(x.text) && s.length() > x.text.length() && !(hex && x == DECIMAL)) {
                return x;
            }
        }
        return NONE;
    }

    boolean unsigned() {
        return this == BYTE || this == USHORT || this == UINT || this == ULONG;
    }

    /**
     * Whether {@code digits} hex digits with the top bit set are negative: a literal that fills its
     * type, as PowerShell reads it (0xFF with 'y', 0xFFFF with 's', 16 digits with 'l', 8 or 16
     * digits otherwise); never with an unsigned suffix.
     */
    boolean hexSigned(int digits) {
        return switch (this) {
            case SBYTE -> digits == 2;
            case SHORT -> digits == 4;
            case LONG -> digits == 16;
            case BYTE, USHORT, UINT, ULONG -> false;
            default -> digits == 8 || digits == 16;
        };
    }

    /** Binary digits with a leading 1 are negative at these lengths (PowerShell's sign-bit lengths up to 64), unless unsigned. */
    boolean binarySigned(int digits) {
        return !unsigned() && (digits == 8 || digits == 16 || digits == 32 || digits == 64);
    }

    /** The type's name as PowerShell writes it, for messages. */
    String typeName() {
        return switch (this) {
            case NONE, LONG -> "[long]";
            case SBYTE -> "[sbyte]";
            case BYTE -> "[byte]";
            case SHORT -> "[short]";
            case USHORT -> "[ushort]";
            case UINT -> "[uint]";
            case ULONG -> "[ulong]";
            case BIGINT -> "[bigint]";
            case DECIMAL -> "[decimal]";
        };
    }
}
