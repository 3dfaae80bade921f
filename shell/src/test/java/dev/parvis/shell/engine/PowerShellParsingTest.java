package dev.parvis.shell.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.shell.ShellFixture;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Syntax PowerShell 7 documents (about_Parsing, about_Quoting_Rules, about_Numeric_Literals) that the shell reads the same way. */
class PowerShellParsingTest {
    private final ShellFixture shell = new ShellFixture();

    @Test
    void emptyHereStringsAreEmptyStrings() {
        assertEquals("[][]", shell.out("$x = @\"\n\"@\n$y = @'\n'@\n\"[$x][$y]\""));
        assertEquals("[][]", shell.out("$x = @\"\r\n\"@\r\n$y = @'\r\n'@\r\n\"[$x][$y]\""));
        assertEquals("[]", shell.out("Write-Output ('[' + @'\n'@ + ']')"));
        assertEquals("<>", shell.out("'<' + (Write-Output @\"\n\"@) + '>'"));
        assertEquals("", shell.errors());
    }

    @Test
    void aCommandMayFollowAParamBlockOnTheSameLine() {
        assertEquals("got 5", shell.out("function F { param($a) Write-Output \"got $a\" }; F 5"));
        assertEquals(List.of(42), shell.session.invoke("param($n) Write-Output ($n * 2)", List.of(21)));
        assertEquals("7", shell.out("function G { [CmdletBinding()] param([int]$N) Write-Output $N }; G 7"));
        assertEquals("", shell.errors());
    }

    @Test
    void aBracketedWordInArgumentModeIsTextAsInPowerShell() {
        assertEquals("[int]|String", shell.out("$w = Write-Output [int]; $w; $w.GetType().Name").replace("\n", "|"));
        assertEquals("vm[1]", shell.out("Write-Output vm[1]"));
        assertEquals("[string]", shell.out("Write-Output -InputObject [string]"));
        assertEquals("Int32", shell.out("Write-Output ([int]) | ForEach-Object { $_.Name }"));
        assertEquals("", shell.errors());
    }

    @ParameterizedTest(name = "{0} is {2} {1}")
    @CsvSource({
        "1kb, 1024, Int32",
        "1e2, 100, Double",
        "100l, 100, Int64",
        "482gb, 517543559168, Int64",
        "100Lgb, 107374182400, Int64",
        "0x1e2, 482, Int32",
        "0x1e2L, 482, Int64",
        "0x1e2D, 7725, Int32",
        "0x1e2lgb, 517543559168, Int64",
        "0x10Gb, 17179869184, Int64",
        "0b1011011, 91, Int32",
        "0xFFFFFFFF, -1, Int32",
        "-0xFFFFFFFF, 1, Int32",
        "0x80000000, -2147483648, Int32",
        "0xFFFFFFFFL, 4294967295, Int64",
        "0x100000000, 4294967296, Int64",
        "0xFFFFFFFFFFFFFFFF, -1, Int64",
        "0b11111111111111111111111111111111, -1, Int32",
        "1.2L, 1, Int64",
        "1.2345e1L, 12, Int64",
    })
    void numberLiteralsHaveTheValueAndTypePowerShellDocuments(String literal, String value, String type) {
        assertEquals(value + "|" + type, shell.out("$v = " + literal + "; $v; $v.GetType().Name").replace("\n", "|"));
        assertEquals("", shell.errors());
    }

    @Test
    void numberLiteralsAreNumbersInArgumentModeToo() {
        assertEquals("91|Int32|-1", shell.out("Write-Output 0b1011011 ((Write-Output 0b1011011).GetType().Name) 0xFFFFFFFF").replace("\n", "|"));
    }

    @ParameterizedTest
    @CsvSource({"10d, [decimal]", "10n, [bigint]", "10u, [uint]", "10ul, [ulong]", "10y, [sbyte]", "10uy, [byte]", "10s, [short]",
        "10us, [ushort]", "0x10n, [bigint]", "1.5dkb, [decimal]"})
    void typeSuffixesOfTypesTheShellLacksAreRefusedSayingSo(String literal, String type) {
        shell.run("$v = " + literal);
        assertTrue(shell.errors().contains("'" + literal + "' is not a valid number: the '"), shell.errors());
        assertTrue(shell.errors().contains("makes a " + type + ", a type this shell has no values of"), shell.errors());
    }

    @Test
    void hexadecimalBeyondInt64IsMalformed() {
        shell.run("$v = 0x1FFFFFFFFFFFFFFFF");
        assertTrue(shell.errors().contains("outside the range of [long]"), shell.errors());
    }
}
