package dev.parvis.shell.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parvis.shell.ShellFixture;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The language's semantics, script by script: each script's printed output, lines joined with '|'. */
class LanguageTest {
    static Stream<Arguments> scripts() {
        return Stream.of(
                // numbers, arithmetic and size suffixes
                Arguments.of("1 + 2 * 3", "7"),
                Arguments.of("10 / 4; 10 / 5; 7 % 3", "2.5|2|1"),
                Arguments.of("512MB; 2GB; 1KB * 3", "536870912|2147483648|3072"),
                Arguments.of("[int]::MaxValue + 1", "2147483648"),
                Arguments.of("0x10 + 1; 1e3", "17|1000"),
                Arguments.of("-5 + 2; - -3", "-3|3"),
                // strings
                Arguments.of("$n = 'web1'; \"VM $n is $(1 + 1) deep\"", "VM web1 is 2 deep"),
                Arguments.of("'it''s'; \"say \"\"hi\"\"\"; \"tab`tend\"", "it's|say \"hi\"|tab\tend"),
                Arguments.of("$x = @\"\nline $(2)\n  two\n\"@\n$x", "line 2|  two"),
                Arguments.of("@'\nno $expansion\n'@", "no $expansion"),
                Arguments.of("'a' + 1; 1 + '2'; 'ab' * 3", "a1|3|ababab"),
                Arguments.of("'{0,5}|{1:N1}|{2:D3}' -f 'x', 1234.56, 7", "    x|1,234.6|007"),
                Arguments.of("'Hello World'.ToUpper(); 'a,b,c'.Split(',').Count; '  x '.Trim().Length", "HELLO WORLD|3|1"),
                // arrays, ranges, hashtables
                Arguments.of("$a = 1,2,3; $a.Count; $a[0]; $a[-1]; $a[1..2] -join ','", "3|1|3|2,3"),
                Arguments.of("$a = @(); $a += 'x'; $a += 'y'; $a -join '+'", "x+y"),
                Arguments.of("(1..4) -join ','; (3..1) -join ','", "1,2,3,4|3,2,1"),
                Arguments.of("$h = @{ Name = 'web1'; Mem = 512 }; $h.Name; $h['Mem']; $h.Count; $h.ContainsKey('name')", "web1|512|2|True"),
                Arguments.of("$h = @{}; $h.a = 1; $h['b'] = 2; ($h.Keys | Sort-Object) -join ','", "a,b"),
                Arguments.of("@(1,2) + @(3) | Measure-Object | ForEach-Object Count", "3"),
                Arguments.of(",(1,2) | ForEach-Object { $_.Count }", "2"),
                // comparison and logic
                Arguments.of("5 -gt 3; 'abc' -eq 'ABC'; 'abc' -ceq 'ABC'; 'web1' -like 'web*'; 'web1' -notlike 'db*'", "True|True|False|True|True"),
                Arguments.of("'a' -in 'a','b'; 1,2,3 -contains 2; 4 -notin 1,2", "True|True|True"),
                Arguments.of("1,2,3,4 -gt 2 -join ','", "3,4"),
                Arguments.of("'vm-42' -match '(\\d+)'; $Matches[1]", "True|42"),
                Arguments.of("'a1b2' -replace '\\d', '#'; 'a,b' -split ','", "a#b#|a|b"),
                Arguments.of("$true -and $false; $true -or $false; -not $true; !$false; $true -xor $true", "False|True|False|True|False"),
                Arguments.of("$null -eq $x; 0 -eq $null; [bool]''; [bool]'x'", "True|False|False|True"),
                Arguments.of("'5' -eq 5; 5 -eq '5.0'; '10' -lt '9'; 10 -lt '9'", "True|True|True|False"),
                // control flow
                Arguments.of("if (0) { 'a' } elseif ($true) { 'b' } else { 'c' }", "b"),
                Arguments.of("foreach ($i in 1..5) { if ($i -eq 2) { continue }; if ($i -eq 4) { break }; $i }", "1|3"),
                Arguments.of("$i = 0; while ($i -lt 3) { $i++ }; $i", "3"),
                Arguments.of("$i = 0; do { $i += 2 } until ($i -ge 5); $i", "6"),
                Arguments.of("for ($i = 0; $i -lt 3; $i++) { $i * 2 }", "0|2|4"),
                Arguments.of("$r = if ($true) { 'yes' } else { 'no' }; $r", "yes"),
                // functions, parameters, scopes
                Arguments.of("function Add-Two($a, $b) { $a + $b }; Add-Two 2 3; Add-Two -b 10 -a 1", "5|11"),
                Arguments.of("function F { param([int]$N = 4, [switch]$Twice) if ($Twice) { $N * 2 } else { $N } }; F; F -N 5 -Twice", "4|10"),
                Arguments.of("function Fact($n) { if ($n -le 1) { return 1 }; $n * (Fact ($n - 1)) }; Fact 10", "3628800"),
                Arguments.of("function Get-Dbl { process { $_ * 2 } }; 1..3 | Get-Dbl", "2|4|6"),
                Arguments.of("function Sum { $t = 0; foreach ($x in $input) { $t += $x }; $t }; 1..4 | Sum", "10"),
                Arguments.of("filter Odd { if ($_ % 2) { $_ } }; 1..5 | Odd", "1|3|5"),
                Arguments.of("$x = 1; function Inner { $x = 2; $x }; Inner; $x", "2|1"),
                Arguments.of("$x = 1; function Set-Global { $global:x = 5 }; Set-Global; $x", "5"),
                Arguments.of("function Rest { $args.Count }; Rest a b c", "3"),
                Arguments.of("function V { param([ValidateSet('a','b')]$Mode) $Mode }; V b", "b"),
                // script blocks
                Arguments.of("$sb = { param($p) $p * 3 }; & $sb 4; $sb.Invoke(5)", "12|15"),
                Arguments.of("$sum = 0; 1..4 | ForEach-Object { $sum += $_ }; $sum", "10"),
                Arguments.of("(1..6).Where({ $_ % 3 -eq 0 }) -join ','; (1..3).ForEach({ $_ * $_ }) -join ','", "3,6|1,4,9"),
                // try/catch/finally, throw, errors
                Arguments.of("try { throw 'bad' } catch { \"caught $_\" } finally { 'done' }", "caught bad|done"),
                Arguments.of("try { 1 / 0 } catch [System.Management.Automation.RuntimeException] { 'math' }", "math"),
                Arguments.of("try { Get-Nothing } catch { $_.FullyQualifiedErrorId }", "CommandNotFoundException"),
                Arguments.of("try { Write-Error 'soft' -ErrorAction Stop } catch { 'stopped: ' + $_.Exception.Message }", "stopped: soft"),
                Arguments.of("Write-Error 'quiet' -ErrorAction SilentlyContinue; $?; $Error[0].Exception.Message", "False|quiet"),
                Arguments.of("$ErrorActionPreference = 'Stop'; try { Write-Error 'x' } catch { 'caught' }", "caught"),
                // members, types, casts
                Arguments.of("$o = [pscustomobject]@{ Name = 'a'; Size = 2GB }; $o.Name; $o.Size / 1GB", "a|2"),
                Arguments.of("[int]'42' + 1; [string]42 + 1; [math]::Round(2.567, 2); [math]::Round(2.5)", "43|421|2.57|2"),
                Arguments.of("'x'.GetType().Name; (1).GetType().FullName; 5 -is [int]; 'a' -as [int]", "String|System.Int32|True"),
                Arguments.of("$d = [datetime]'2024-02-28'; $d.AddDays(2).Day; ($d.AddDays(1) - $d).TotalHours", "1|24"),
                Arguments.of("[timespan]::FromMinutes(90).TotalHours; [timespan]'01:02:03'", "1.5|01:02:03"),
                Arguments.of("@([pscustomobject]@{N='a'}, [pscustomobject]@{N='b'}).N -join ','", "a,b"),
                // automatic variables, comments
                Arguments.of("$true; $false; $null; 'x' # comment\n<# block\ncomment #> 'y'", "True|False|x|y"),
                Arguments.of("Get-Nothing; $?; 'ok'; $?", "False|ok|True"),
                // line continuation and pipelines over lines
                Arguments.of("1..3 |\n  ForEach-Object { $_ } |\n  Measure-Object | ForEach-Object Count", "3"),
                Arguments.of("Write-Output `\n  'continued'", "continued"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scripts")
    void scriptPrintsExpectedOutput(String script, String expected) {
        ShellFixture shell = new ShellFixture();
        String out = shell.out(script).replace("\r", "");
        assertEquals(expected, String.join("|", out.lines().toList()), () -> "errors: " + shell.errors());
    }
}
