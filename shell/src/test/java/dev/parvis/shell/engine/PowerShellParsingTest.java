package dev.parvis.shell.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parvis.shell.ShellFixture;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Syntax PowerShell 7 documents (about_Parsing, about_Quoting_Rules) that the shell reads the same way. */
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
}
