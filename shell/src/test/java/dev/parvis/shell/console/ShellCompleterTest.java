package dev.parvis.shell.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The words completion sees of the command under the cursor ({@link ShellCompleter#commandTokens}). */
class ShellCompleterTest {
    static Stream<Arguments> lines() {
        return Stream.of(
                Arguments.of("", List.of()),
                Arguments.of("Get-VM ", List.of("Get-VM")),
                Arguments.of("Get-VM | Stop-VM -Name ", List.of("Stop-VM", "-Name")),
                Arguments.of("foreach ($v in $x) { Stop-VM ", List.of("Stop-VM")),
                Arguments.of("Get-VM; Start-VM  -Name   ", List.of("Start-VM", "-Name")),
                Arguments.of("Get-VM 'a|b' ", List.of("Get-VM", "'a|b'")),
                Arguments.of("Set-VM -Notes \"x; y (z)\" -Name ", List.of("Set-VM", "-Notes", "\"x; y (z)\"", "-Name")),
                Arguments.of("Write-Output 'it''s | one' ", List.of("Write-Output", "'it''s | one'")),
                Arguments.of("Write-Output \"a`\"|b\" ", List.of("Write-Output", "\"a`\"|b\"")),
                Arguments.of("Write-Output 'open | ", List.of("Write-Output", "'open | ")));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("lines")
    void aCommandIsCutAtSeparatorsAndSplitAtSpacesOnlyOutsideQuotes(String before, List<String> words) {
        assertEquals(words, ShellCompleter.commandTokens(before));
    }
}
