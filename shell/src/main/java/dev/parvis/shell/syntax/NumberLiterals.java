package dev.parvis.shell.syntax;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;

/**
 * Number literals as PowerShell reads them: decimal, hexadecimal ({@code 0x1F}), exponent,
 * an {@code l} suffix for long, and the size multipliers kb, mb, gb, tb, pb (powers of 1024). The
 * value is an Integer when it fits, else a Long, else a Double.
 */
public final class NumberLiterals {
    private static final int MAX_LENGTH = 400;
    private static final String[] MULTIPLIERS = {"kb", "mb", "gb", "tb", "pb"};

    private NumberLiterals() {
    }

    /** Parses {@code text}; throws NumberFormatException when it is not a number literal. */
    public static Object parse(String text) {
        if (text.length() > MAX_LENGTH) {
            throw new NumberFormatException("number literal longer than " + MAX_LENGTH + " characters");
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
        boolean forceLong = s.endsWith("l");
        if (forceLong) {
            s = s.substring(0, s.length() - 1);
        }
        BigDecimal value;
        if (s.startsWith("0x")) {
            value = new BigDecimal(new BigInteger(s.substring(2), 16));
        } else {
            value = new BigDecimal(s);
        }
        value = value.multiply(BigDecimal.valueOf(multiplier));
        if (negative) {
            value = value.negate();
        }
        boolean integral = !s.contains(".") && !s.contains("e") || s.startsWith("0x");
        return narrow(value, integral, forceLong);
    }

    private static Object narrow(BigDecimal value, boolean integral, boolean forceLong) {
        if (!integral) {
            return value.doubleValue();
        }
        try {
            long l = value.longValueExact();
            if (!forceLong && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
                return (int) l;
            }
            return l;
        } catch (ArithmeticException e) {
            return value.doubleValue();
        }
    }
}
