package dev.parvis.shell.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.shell.ShellFixture;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the object commands (Select-, Where-, Group-Object, Format-Table, ConvertTo-Json) and the
 * static members make of their parameters, script by script: printed lines joined with '|'.
 */
class ObjectCommandsTest {
    static Stream<Arguments> scripts() {
        return Stream.of(
                // Select-Object: -Skip, -First and -Last together; -Unique on objects; -ExcludeProperty
                Arguments.of("(1..10 | Select-Object -Skip 2 -First 3) -join ','", "3,4,5"),
                Arguments.of("(1..10 | Select-Object -First 2 -Last 2) -join ','", "1,2,9,10"),
                Arguments.of("(1..10 | Select-Object -Skip 1 -Last 2) -join ','", "9,10"),
                // null objects in the tail were an internal error (ScriptFuzzTest seed 2, case 9762)
                Arguments.of("(@($null, 1, $null) | Select-Object -Last 2).Count", "2"),
                Arguments.of("(1..5 | Select-Object -First 0) -join ','", ""),
                Arguments.of("@([pscustomobject]@{a=1}, [pscustomobject]@{a=1}, [pscustomobject]@{a=2}) | Select-Object -Unique | "
                        + "ForEach-Object a", "1|2"),
                Arguments.of("[pscustomobject]@{a=1; b=2; c=3} | Select-Object * -ExcludeProperty b | ConvertTo-Json -Compress",
                        "{\"a\":1,\"c\":3}"),
                Arguments.of("([pscustomobject]@{l=1,2} | Select-Object -ExpandProperty l) -join ','", "1,2"),
                // Where-Object: script block, simplified syntax with and without an operator
                Arguments.of("(1..6 | Where-Object { $_ % 3 -eq 0 }) -join ','", "3,6"),
                Arguments.of("@([pscustomobject]@{n='a'; on=$true}, [pscustomobject]@{n='b'; on=$false}) | Where-Object on | ForEach-Object n", "a"),
                Arguments.of("@([pscustomobject]@{n='web1'}, [pscustomobject]@{n='db1'}) | Where-Object n -Like 'web*' | ForEach-Object n", "web1"),
                Arguments.of("@([pscustomobject]@{n='A'}) | Where-Object n -CEQ 'a' | ForEach-Object n; 'x'", "x"),
                // Group-Object: order of first appearance, case, -NoElement, -AsHashTable
                Arguments.of("'b','A','a','b' | Group-Object | ForEach-Object { \"$($_.Name)=$($_.Count)\" }", "b=2|A=2"),
                Arguments.of("'b','A','a' | Group-Object -CaseSensitive | ForEach-Object { \"$($_.Name)=$($_.Count)\" }", "b=1|A=1|a=1"),
                Arguments.of("1..3 | Group-Object { $_ % 2 } -NoElement | ConvertTo-Json -Compress",
                        "[{\"Count\":2,\"Name\":\"1\"},{\"Count\":1,\"Name\":\"0\"}]"),
                Arguments.of("$h = 1..5 | Group-Object { $_ % 2 } -AsHashTable; $h['1'] -join ','; $h['0'] -join ','", "1,3,5|2,4"),
                // Format-Table: headers hidden, hashtables as Name/Value rows
                Arguments.of("[pscustomobject]@{Name='web1'; State='Running'} | Format-Table -HideTableHeaders", "web1 Running"),
                Arguments.of("@{k='v'} | Format-Table -AutoSize", "|Name Value|---- -----|k    v"),
                // static members, one of each kind of type
                Arguments.of("[math]::Max(2, 3); [math]::Abs(-4); [math]::Log(8, 2); [math]::Sign(-2.5)", "3|4|3|-1"),
                Arguments.of("[int]::Parse('12') + 1; [double]::Parse('1.5'); [datetime]::Parse('2024-01-02').Year", "13|1.5|2024"),
                Arguments.of("[timespan]::FromSeconds(90).TotalMinutes; [timespan]::FromMilliseconds(1500).TotalSeconds", "1.5|1.5"),
                Arguments.of("[guid]::Parse('00000000-0000-0000-0000-000000000001')", "00000000-0000-0000-0000-000000000001"),
                Arguments.of("[string]::IsNullOrEmpty(''); [string]::Join('-', 'a', 'b'); [string]::Format('{0}+{1}', 1, 2)", "True|a-b|1+2"),
                Arguments.of("[regex]::Escape('a.b'); [regex]::IsMatch('web1', '^web')", "a\\.b|True"),
                Arguments.of("[System.IO.Path]::Combine('a', 'b'); [System.IO.Path]::GetFileNameWithoutExtension('d/x.tar.gz')",
                        "a/b|x.tar"),
                Arguments.of("& ([scriptblock]::Create('1 + 1'))", "2"),
                // a date format naming a field a local date lacks (an offset): the date as text, not an internal error (ScriptFuzzTest seed 1, case 1290)
                Arguments.of("Get-Date -Date '2024-01-02' -Format 'Off'; '{0:zzz}' -f [datetime]'2024-01-02'", "01/02/2024 00:00:00|01/02/2024 00:00:00"),
                // ConvertTo-Json: layout, depth cut, enums
                Arguments.of("@{a=@(1,$null,$true)} | ConvertTo-Json", "{|  \"a\": [|    1,|    null,|    true|  ]|}"),
                Arguments.of("[pscustomobject]@{a=@{b=@{c=1}}} | ConvertTo-Json -Depth 1 -Compress", "{\"a\":{\"b\":\"System.Collections.Hashtable\"}}"),
                Arguments.of("@([double]::NaN, 'x') | ConvertTo-Json -Compress", "[\"NaN\",\"x\"]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scripts")
    void printsWhatTheCommandsMakeOfTheirParameters(String script, String expected) {
        ShellFixture shell = new ShellFixture();
        String out = shell.out(script);
        assertEquals("", shell.errors(), script);
        assertEquals(expected, String.join("|", out.lines().map(String::stripTrailing).toList()), script);
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("1 | Select-Object -Last -2", "-First, -Last and -Skip must not be negative."),
                Arguments.of("[pscustomobject]@{a=1} | Select-Object -ExpandProperty b", "Property \"b\" cannot be found."),
                Arguments.of("1 | Where-Object", "Where-Object needs a script block or a property name."),
                Arguments.of("1 | Where-Object a -EQ -Like 1", "Where-Object takes one comparison operator, not EQ, Like."),
                Arguments.of("1 | Where-Object a 1", "Where-Object has a value to compare with but no operator (-EQ, -Like, ...)."),
                Arguments.of("[math]::Nope(1)", "Method invocation failed because [System.Math] does not contain a method named 'Nope' in Parvis."),
                Arguments.of("[math]::Pow(2)", "Cannot find an overload with 1 arguments."),
                Arguments.of("[string]::Join()", "Cannot find an overload with 0 arguments."),
                Arguments.of("[string]::Format()", "Cannot find an overload with 0 arguments."),
                Arguments.of("[System.IO.Path]::GetFullPath(\"a`0b\")", "The path is not valid: "),
                // an error with no message was shown (ScriptFuzzTest seed 20261204, case 1821)
                Arguments.of("Write-Error ''", "Write-Error : Cannot bind argument to parameter 'Message' because it is an empty string."),
                // internal errors (NullPointerException) before (ScriptFuzzTest seed 2, cases 1404 and 9943)
                Arguments.of("1 | ForEach-Object $null", "ForEach-Object : ForEach-Object needs a script block or a member name; the member name given is empty."),
                Arguments.of("1 | ForEach-Object -MemberName ''", "ForEach-Object : ForEach-Object needs a script block or a member name; the member name given is empty."),
                // an internal error (NullPointerException) before (ScriptFuzzTest seed 2, case 7113)
                Arguments.of("$null | Test-Path", "Test-Path : Cannot bind argument to parameter 'Path' because it is null."),
                // an internal error (NullPointerException) before (ScriptFuzzTest seed 3, case 2977)
                Arguments.of("Enable-VMIntegrationService $null", "Enable-VMIntegrationService : Cannot bind argument to parameter 'VMName' because it is null."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusesWithTheSameMessage(String script, String message) {
        ShellFixture shell = new ShellFixture();
        shell.run(script);
        assertTrue(shell.errors().contains(message), shell.errors());
    }
}
