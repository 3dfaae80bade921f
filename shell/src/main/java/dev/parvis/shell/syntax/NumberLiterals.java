package dev.parvis.shell.syntax;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * Number literals as PowerShell 7 reads them (about_Numeric_Literals): decimal, hexadecimal
 * ({@code 0x1F}) and binary ({@code 0b101}) integers, reals with a fraction or an exponent, a type
 * suffix ({@link NumberSuffix}: l, y, uy, s, us, u, ul, n, d) and then a size multiplier (kb, mb,
 * gb, tb, pb: powers of 1024). Without a suffix an integer is an Int32 when it fits, else an Int64,
 * else (decimal digits only) a Double; a real is a Double. Hexadecimal and binary digits that fill
 * their type take the top bit as the sign (0xFFFFFFFF is -1), sixteen hex digits make an Int64, and
 * a value outside the suffix's type is malformed.
 */
public final class NumberLiterals {
    private static final int MAX_LENGTH = 400;
    private static final String[] MULTIPLIERS = {"kb", "mb", "gb", "tb", "pb"};
    private static final BigInteger INT_MIN = BigInteger.valueOf(Integer.MIN_VALUE);
    private static final BigInteger INT_MAX = BigInteger.valueOf(Integer.MAX_VALUE);
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

    /** Parses {@code text}; throws NumberFormatException (a {@link Malformed} saying why, where it can) when it is not a number literal. */
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
        NumberSuffix suffix = NumberSuffix.of(s);
        s = s.substring(0, s.length() - suffix.text.length());
        if (s.startsWith("0x") || s.startsWith("0b")) {
            return radixInteger(s.substring(2), s.startsWith("0x"), negative, multiplier, suffix);
        }
        if (s.contains(".") || s.contains("e")) {
            return real(s, negative, multiplier, suffix);
        }
        BigInteger v = new BigInteger(s).multiply(BigInteger.valueOf(multiplier));
        return typed(negative ? v.negate() : v, suffix, true, false);
    }

    /**
     * Hex or binary digits: where they fill the type (see {@link NumberSuffix#hexSigned},
     * {@link NumberSuffix#binarySigned}) the top bit is the sign; sixteen hex or 64 binary digits
     * make an Int64 however small the value.
     */
    private static Object radixInteger(String digits, boolean hex, boolean negative, long multiplier, NumberSuffix suffix) {
        BigInteger v = new BigInteger(digits, hex ? 16 : 2);
        int bits = digits.length() * (hex ? 4 : 1);
        boolean signed = hex ? suffix.hexSigned(digits.length()) : suffix.binarySigned(digits.length());
        if (signed && v.testBit(bits - 1)) {
            v = v.subtract(BigInteger.ONE.shiftLeft(bits));
        }
        v = v.multiply(BigInteger.valueOf(multiplier));
        return typed(negative ? v.negate() : v, suffix, false, bits == 64);
    }

    /** A real: a Double (with 'd', a [decimal], whose stand-in is a Double), or with an integer suffix the Double rounded half to even. */
    private static Object real(String s, boolean negative, long multiplier, NumberSuffix suffix) {
        if (suffix == NumberSuffix.DECIMAL) {
            BigDecimal d = new BigDecimal(s).multiply(BigDecimal.valueOf(multiplier));
            return (negative ? d.negate() : d).doubleValue();
        }
        double d = Double.parseDouble(s) * multiplier;
        d = negative ? -d : d;
        if (suffix == NumberSuffix.NONE) {
            return d;
        }
        if (Double.isInfinite(d)) {
            throw outside(suffix);
        }
        return typed(new BigDecimal(d).setScale(0, RoundingMode.HALF_EVEN).toBigInteger(), suffix, false, false);
    }

    /**
     * An integer value as its suffix makes it: checked against the suffix's .NET type, then given
     * the shell's stand-in (without a suffix: Int32, Int64 ({@code wide}: at least Int64), or for
     * decimal digits a Double).
     */
    private static Object typed(BigInteger v, NumberSuffix suffix, boolean decimalDigits, boolean wide) {
        if (suffix.min != null && v.compareTo(suffix.min) < 0 || suffix.max != null && v.compareTo(suffix.max) > 0) {
            throw outside(suffix);
        }
        boolean fitsLong = v.compareTo(LONG_MIN) >= 0 && v.compareTo(LONG_MAX) <= 0;
        return switch (suffix.kind) {
            case DOUBLE -> v.doubleValue();
            case INT32 -> v.intValueExact();
            case INT64 -> {
                if (!fitsLong) {
                    throw new Malformed("the value is beyond Int64, the largest integer this shell has (it has no " + suffix.typeName()
                            + " values beyond it)");
                }
                yield v.longValueExact();
            }
            case SMALLEST -> {
                if (!wide && v.compareTo(INT_MIN) >= 0 && v.compareTo(INT_MAX) <= 0) {
                    yield v.intValueExact();
                }
                if (fitsLong) {
                    yield v.longValueExact();
                }
                if (!decimalDigits) {
                    throw outside(suffix);
                }
                yield v.doubleValue();
            }
        };
    }

    private static Malformed outside(NumberSuffix suffix) {
        return new Malformed("the value is outside the range of " + suffix.typeName());
    }
}
