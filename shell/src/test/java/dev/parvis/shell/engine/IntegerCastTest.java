package dev.parvis.shell.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.shell.ShellFixture;
import dev.parvis.shell.runtime.Conversions;
import dev.parvis.shell.runtime.RuntimeError;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Casts to .NET's integer types as PowerShell 7 does them (about_Type_Conversion): range checks,
 * half-to-even rounding of Doubles ([bigint] truncates, as PowerShell's does), and the shell's
 * stand-in type (Int32 or Int64); a value the type holds but the shell's Int64 does not is refused.
 */
class IntegerCastTest {
    private final ShellFixture shell = new ShellFixture();

    @ParameterizedTest(name = "{0} is {1} ({2} here)")
    @CsvSource(delimiter = '|', value = {
        "[sbyte]-128 | -128 | Int32",
        "[sbyte]127 | 127 | Int32",
        "[sbyte]-2.5 | -2 | Int32",
        "[byte]255 | 255 | Int32",
        "[byte]2.5 | 2 | Int32",
        "[byte]3.5 | 4 | Int32",
        "[byte]'0x10' | 16 | Int32",
        "[byte]$null | 0 | Int32",
        "[short]-32768 | -32768 | Int32",
        "[short]$true | 1 | Int32",
        "[int16]'12' | 12 | Int32",
        "[ushort]65535 | 65535 | Int32",
        "[ushort]'7.5' | 8 | Int32",
        "[uint]4294967295 | 4294967295 | Int64",
        "[uint32]0.5 | 0 | Int64",
        "[ulong]9223372036854775807 | 9223372036854775807 | Int64",
        "[uint64]1e18 | 1000000000000000000 | Int64",
        "[bigint]123 | 123 | Int64",
        "[bigint]1.9 | 1 | Int64",
        "[bigint]-1.9 | -1 | Int64",
        "[System.Numerics.BigInteger]'-9223372036854775808' | -9223372036854775808 | Int64",
        "[int]-2147483648.5 | -2147483648 | Int32",
        "[long]-9.2e18 | -9200000000000000000 | Int64",
    })
    void aCastToAnIntegerTypeGivesPowerShellsValueAsTheShellsType(String cast, String value, String type) {
        assertEquals(value + "|" + type, shell.out("$v = " + cast + "; $v; $v.GetType().Name").replace("\n", "|"));
        assertEquals("", shell.errors());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "[sbyte]128 | 128 | System.SByte",
        "[byte]-1 | -1 | System.Byte",
        "[byte]255.5 | 255.5 | System.Byte",
        "[byte]'abc' | abc | System.Byte",
        "[short]32768 | 32768 | System.Int16",
        "[ushort]-1 | -1 | System.UInt16",
        "[uint]-1 | -1 | System.UInt32",
        "[uint]4294967296 | 4294967296 | System.UInt32",
        "[ulong]-1 | -1 | System.UInt64",
        "[ulong]1e20 | 1E+20 | System.UInt64",
        "[long]9223372036854775807.0 | 9.22337203685478E+18 | System.Int64",
        "[int]2147483647.5 | 2147483647.5 | System.Int32",
        "[bigint][double]::NaN | NaN | System.Numerics.BigInteger",
    })
    void aValueOutsideTheTypeIsRefused(String cast, String shown, String type) {
        shell.run("$v = " + cast);
        assertTrue(shell.errors().contains("Cannot convert value \"" + shown + "\" to type \"" + type + "\"."), shell.errors());
    }

    /** Parameter binding, indexes, -f and the rest convert to Int32 and Int64 (Conversions) as the casts do. */
    @ParameterizedTest(name = "{0} as Int32 is {1}, as Int64 {2}")
    @CsvSource(delimiter = '|', value = {
        "-2147483648.5 | -2147483648 | -2147483648",
        "2.5 | 2 | 2",
        "-3.5 | -4 | -4",
        "2147483647.5 | refused | 2147483648",
        "9.2233720368547748E18 | refused | 9223372036854774784",
        "9.223372036854775807E18 | refused | refused",
        "-9.223372036854775808E18 | refused | -9223372036854775808",
        "NaN | refused | refused",
    })
    void conversionsToInt32AndInt64FollowTheCastsRules(double value, String asInt, String asLong) {
        assertEquals(asInt, converted(() -> Conversions.toInt(value), value, "System.Int32"));
        assertEquals(asLong, converted(() -> Conversions.toLong(value), value, "System.Int64"));
    }

    private static String converted(Supplier<Number> conversion, double value, String type) {
        try {
            return conversion.get().toString();
        } catch (RuntimeError e) {
            assertEquals("Cannot convert value \"" + Conversions.formatDouble(value) + "\" to type \"" + type + "\".", e.getMessage());
            return "refused";
        }
    }

    @Test
    void aLongParameterRefusesTwoToThe63RatherThanSaturating() {
        shell.run("Start-Sleep -Milliseconds 9223372036854775808.0");
        assertTrue(shell.errors().contains("Cannot convert value \"9.22337203685478E+18\" to type \"System.Int64\"."), shell.errors());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "[ulong]9223372036854775808 | System.UInt64",
        "[ulong]1e19 | System.UInt64",
        "[bigint]1e30 | System.Numerics.BigInteger",
        "[bigint]-1e19 | System.Numerics.BigInteger",
    })
    void aValueTheTypeHoldsButInt64DoesNotIsRefusedNotWrapped(String cast, String type) {
        assertEquals("", shell.out("$v = " + cast + "; $v"));
        assertTrue(shell.errors().contains("to type \"" + type + "\": the value is beyond Int64, the largest integer this shell has"), shell.errors());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "[sbyte]::MinValue | -128", "[byte]::MaxValue | 255", "[short]::MaxValue | 32767", "[ushort]::MaxValue | 65535",
        "[uint]::MaxValue | 4294967295", "[ulong]::MinValue | 0", "[int]::MinValue | -2147483648", "[long]::MaxValue | 9223372036854775807",
    })
    void theIntegerTypesKnowTheirLimits(String expression, String value) {
        assertEquals(value, shell.out(expression));
        assertEquals("", shell.errors());
    }
}
