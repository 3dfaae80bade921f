package dev.parvis.shell.syntax;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Map;

/**
 * Number literals as PowerShell 7 reads them (about_Numeric_Literals): decimal, hexadecimal
 * ({@code 0x1F}) and binary ({@code 0b101}) integers, reals with a fraction or an exponent, an
 * {@code l} suffix for long, and the size multipliers kb, mb, gb, tb, pb (powers of 1024) after it.
 * An integer is an Int32 when it fits, else an Int64; a decimal integer beyond that is a Double
 * (PowerShell would try [decimal] first); a real is a Double, or with {@code l} an Int64 rounded
 * from it. A hexadecimal or binary literal whose digits fill 32 or 64 bits (8 or 16 hex digits)
 * takes its top bit as the sign, so {@code 0xFFFFFFFF} is -1; beyond Int64 it is malformed. The
 * other type suffixes PowerShell documents (d, n, u, ul, y, uy, s, us) name types this shell's
 * values do not have, and are refused with that reason.
 */
public final class NumberLiterals {
    private static final int MAX_LENGTH = 400;
    private static final String[] MULTIPLIERS = {"kb", "mb", "gb", "tb", "pb"};
    /** The suffixes of types the shell has no values of, longest first, with the type each names. */
    private static final Map<String, String> UNSUPPORTED = Map.of("ul", "[ulong]", "uy", "[byte]", "us", "[ushort]",
            "u", "[uint]", "y", "[sbyte]", "s", "[short]", "n", "[bigint]", "d", "[decimal]");
    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private NumberLiterals() {
    }

    /** A literal this shell does not read, with a reason fit to show the user (Java's own parse messages are not). */
    public static final class Malformed extends NumberFormatException {
        Malformed(String reason) {
            super(reason);
        }
    }

    /** Parses {@code text}; throws NumberFormatException (saying why) when it is not a number literal this shell reads. */
    public static Object parse(String text) {
        if (text.length() > MAX_LENGTH) {
            throw new Malformed("number literal longer than " + MAX_LENGTH + " characters");
        }
        String s = text.toLowerCase(Locale.ROOT);
        boolean negative = s.startsWith("-");
        if (negative) {
            s = s.substring(1);
        }
        long multiplier = 1;
        for (int i = 0; i < MULTIPLIERS.length; i++) {
            if (s.endsWith(MULTIPLIERS[i])) {
                multiplier = 1L << (10 * (i + 1));
                s = s.substring(0, s.length() - 2);
                break;
            }
        }
        refuseUnsupportedSuffix(s);
        boolean forceLong = s.endsWith("l");
        if (forceLong) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.startsWith("0x") || s.startsWith("0b")) {
            return radixInteger(s.substring(2), s.startsWith("0x") ? 16 : 2, negative, multiplier, forceLong);
        }
        BigDecimal value = new BigDecimal(s).multiply(BigDecimal.valueOf(multiplier));
        if (negative) {
            value = value.negate();
        }
        boolean real = s.contains(".") || s.contains("e");
        if (real && forceLong) {
            return integer(value.setScale(0, RoundingMode.HALF_EVEN), true);
        }
        return real ? value.doubleValue() : decimalInteger(value, forceLong);
    }

    /**
     * Hex or binary digits: when they fill exactly 32 bits (not with {@code l}) or 64 bits, the top
     * bit is the sign (two's complement), as PowerShell reads {@code 0xFFFFFFFF} (an Int32, -1) and
     * sixteen F's (an Int64, -1).
     */
    private static Object radixInteger(String digits, int radix, boolean negative, long multiplier, boolean forceLong) {
        BigInteger v = new BigInteger(digits, radix);
        int bits = digits.length() * (radix == 16 ? 4 : 1);
        boolean signed = (bits == 64 || bits == 32 && !forceLong) && v.testBit(bits - 1);
        if (signed) {
            v = v.subtract(BigInteger.ONE.shiftLeft(bits));
        }
        BigDecimal value = new BigDecimal(v).multiply(BigDecimal.valueOf(multiplier));
        return integer(negative ? value.negate() : value, forceLong || signed && bits == 64);
    }

    /** A suffix of a type the shell has no values of ('10d', '1uy', '0x10n'); a hex digit 'd' is not one. */
    private static void refuseUnsupportedSuffix(String s) {
        boolean hex = s.startsWith("0x");
        for (String suffix : new String[] {"ul", "uy", "us", "u", "y", "s", "n", "d"}) {
            if (s.endsWith(suffix) && s.length() > suffix.length() && !(hex && suffix.equals("d"))) {
                throw new Malformed("the '" + suffix + "' suffix makes a " + UNSUPPORTED.get(suffix)
                        + ", a type this shell has no values of");
            }
        }
    }

    /** Int32 when it fits (and no {@code l}), else Int64; beyond Int64 the literal is malformed. */
    private static Object integer(BigDecimal value, boolean forceLong) {
        BigInteger v = value.toBigIntegerExact();
        if (v.compareTo(LONG_MIN) < 0 || v.compareTo(LONG_MAX) > 0) {
            throw new Malformed("the value is outside the range of [long]");
        }
        long l = v.longValue();
        return !forceLong && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE ? (Object) (int) l : (Object) l;
    }

    /** A decimal integer: Int32, Int64, or (without {@code l}) a Double beyond Int64. */
    private static Object decimalInteger(BigDecimal value, boolean forceLong) {
        BigInteger v = value.toBigIntegerExact();
        if (!forceLong && (v.compareTo(LONG_MIN) < 0 || v.compareTo(LONG_MAX) > 0)) {
            return value.doubleValue();
        }
        return integer(value, forceLong);
    }
}
