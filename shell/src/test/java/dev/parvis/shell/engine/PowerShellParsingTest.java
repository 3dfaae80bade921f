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

    /** Literal strings and block comments are read in pieces (one per line); their values are PowerShell's. */
    @Test
    void literalStringsAndBlockCommentsSpanningLinesKeepTheirValues() {
        assertEquals("[it's]|[one\ntwo]|[]", shell.out("'[' + 'it''s' + ']'; '[' + 'one\ntwo' + ']'; '[' + '' + ']'").replace("\n|", "\n").replace("]\n", "]|"));
        assertEquals("< a '' $x\n#>|4", shell.out("'<' + @'\n a '' $x\n#\n'@ + '>'\n(@'\r\nx\r\ny\r\n'@).Length").replace(">\n", ">|"));
        assertEquals("1|3|abc", shell.out("Write-Output 1 <# two\n '# lines ## #> 3\nWrite-Output a'b'c").replace("\n", "|"));
        assertEquals("", shell.errors());
    }

    @Test
    void anUnclosedBlockCommentIsIncompleteInputNotAComment() {
        assertEquals("", shell.out("Write-Output 1 <# never closed\n Write-Output 2"));
        assertTrue(shell.errors().contains("the block comment is missing its terminator '#>'"), shell.errors());
    }

    @Test
    void aBracketedWordInArgumentModeIsTextAsInPowerShell() {
        assertEquals("[int]|String", shell.out("$w = Write-Output [int]; $w; $w.GetType().Name").replace("\n", "|"));
        assertEquals("vm[1]", shell.out("Write-Output vm[1]"));
        assertEquals("[string]", shell.out("Write-Output -InputObject [string]"));
        assertEquals("Int32", shell.out("Write-Output ([int]) | ForEach-Object { $_.Name }"));
        assertEquals("", shell.errors());
    }

    /**
     * about_Parsing's argument mode: a bare word, number or simple variable takes the parts touching
     * it into one expandable-string argument; a quoted string, a bracket or a variable with a member
     * at the start of an argument ends it. A shows its arguments' count and the arguments.
     */
    @ParameterizedTest(name = "A {0} gets {1}")
    @CsvSource(delimiter = '!', quoteCharacter = '`', value = {
        "a$a ! 1:a4",
        "a'$a' ! 1:a$a",
        "a\"$a\" ! 1:a4",
        "a$(2) ! 1:a2",
        "a$($x)b ! 1:aXb",
        "a$(Write-Output 'in' \"q\")b ! 1:ain qb",
        "$a+2 ! 1:4+2",
        "$a/H ! 1:4/H",
        "$a$a ! 1:44",
        "$a-1 ! 1:4-1",
        "$a-b ! 1:4-b",
        "10$a ! 1:104",
        "a$a.b ! 1:a4.b",
        "a$s.Length ! 1:ahello.Length",
        "a$a[0]z ! 1:a4[0]z",
        "C:\\dir\\$x\\f.txt ! 1:C:\\dir\\X\\f.txt",
        "$s.Length ! 1:5",
        "$s.Length-more ! 2:5;-more",
        "$s.Length$a ! 2:5;4",
        "$(1)b ! 2:1;b",
        "(1)b ! 2:1;b",
        "a(2) ! 2:a;2",
        "'a'$a ! 2:a;4",
        "\"a\"b ! 2:a;b",
        "a$a b$a ! 2:a4;b4",
    })
    void touchingPartsOfAnArgumentAreOneExpandableStringAsInPowerShell(String arguments, String expected) {
        assertEquals(expected, shell.out("$a = 4; $x = 'X'; $s = 'hello'; function A { \"$($args.Count):$($args -join ';')\" }; A " + arguments));
        assertEquals("", shell.errors());
    }

    @Test
    void aCompoundArgumentIsAStringAndMayBeAParametersValue() {
        assertEquals("String|String|44", shell.out("$a = 4; function T { $args[0].GetType().Name }; T a$a; T 10$a; Write-Output -InputObject:$a$a")
                .replace("\n", "|"));
        assertEquals("", shell.errors());
    }

    /**
     * about_Parameters: '-Name:value' binds the value to the parameter, touching the colon or after a
     * space; a colon elsewhere in a bare word leaves it a word. P shows what its parameters got.
     */
    @ParameterizedTest(name = "P {0} gets {1}")
    @CsvSource(delimiter = '!', quoteCharacter = '`', value = {
        "-Name:a ! Name=a;S=False;args=",
        "-name:a b ! Name=a;S=False;args=b",
        "-Name:$x ! Name=X;S=False;args=",
        "-Name:(1+1) ! Name=2;S=False;args=",
        "-Name: value ! Name=value;S=False;args=",
        "-Name:a,b ! Name=a b;S=False;args=",
        "-Name:a:b ! Name=a:b;S=False;args=",
        "-Name:-x ! Name=-x;S=False;args=",
        "-S:$false ! Name=;S=False;args=",
        "-S:$true ! Name=;S=True;args=",
        "-S ! Name=;S=True;args=",
        "a:b C:\\x ! Name=a:b;S=False;args=C:\\x",
        "$x-Name:b ! Name=X-Name:b;S=False;args=",
    })
    void aParameterTakesTheValueAfterItsColonAsInPowerShell(String arguments, String expected) {
        assertEquals(expected, shell.out("$x = 'X'; function P { param($Name, [switch]$S) \"Name=$Name;S=$S;args=$args\" }; P " + arguments));
        assertEquals("", shell.errors());
    }

    @Test
    void aCmdletParameterTakesTheValueAfterItsColon() {
        assertEquals("a|a+b", shell.out("Write-Output -InputObject:a; (Write-Output -InputObject:a,b -NoEnumerate) -join '+'").replace("\n", "|"));
        assertEquals("", shell.errors());
    }

    /**
     * about_Numeric_Literals' examples and more. The last column is the shell's type: its numbers
     * are Int32, Int64 and Double, so a suffix naming another type gives what a cast to that type
     * gives here ([byte], [int16] and [uint16] are Int32, [uint32] and [uint64] Int64, [decimal]
     * Double); the value is PowerShell's.
     */
    @ParameterizedTest(name = "{0} is {1} ({2} in PowerShell, {3} here)")
    @CsvSource({
        "100, 100, Int32, Int32",
        "100u, 100, UInt32, Int64",
        "100D, 100, Decimal, Double",
        "100l, 100, Int64, Int64",
        "100uL, 100, UInt64, Int64",
        "100us, 100, UInt16, Int32",
        "100uy, 100, Byte, Int32",
        "100y, 100, SByte, Int32",
        "1e2, 100, Double, Double",
        "0x1e2, 482, Int32, Int32",
        "0x1e2L, 482, Int64, Int64",
        "0x1e2D, 7725, Int32, Int32",
        "482D, 482, Decimal, Double",
        "482gb, 517543559168, Int64, Int64",
        "482ngb, 517543559168, BigInteger, Int64",
        "0x1e2lgb, 517543559168, Int64, Int64",
        "0b1011011, 91, Int32, Int32",
        "0xFFFFs, -1, Int16, Int32",
        "0xFFFFFFFF, -1, Int32, Int32",
        "-0xFFFFFFFF, 1, Int32, Int32",
        "0xFFFFFFFFu, 4294967295, UInt32, Int64",
        "1kb, 1024, Int32, Int32",
        "100Lgb, 107374182400, Int64, Int64",
        "0x10Gb, 17179869184, Int64, Int64",
        "1.30Dmb, 1363148.8, Decimal, Double",
        "0x80000000, -2147483648, Int32, Int32",
        "0xFFFFFFFFL, 4294967295, Int64, Int64",
        "0x100000000, 4294967296, Int64, Int64",
        "0xFFFFFFFFFFFFFFFF, -1, Int64, Int64",
        "0x0000000000000001, 1, Int64, Int64",
        "0xFFy, -1, SByte, Int32",
        "0xFFuy, 255, Byte, Int32",
        "0b11111111, -1, Int32, Int32",
        "0b011111111, 255, Int32, Int32",
        "0x10n, 16, BigInteger, Int64",
        "1.2L, 1, Int64, Int64",
        "1.2345e1L, 12, Int64, Int64",
        "2.5s, 2, Int16, Int32",
        "1.e2, 100, Double, Double",
        "1., 1, Double, Double",
        ".5e1, 5, Double, Double",
        "1.5e+2, 150, Double, Double",
        "1.5E-1, 0.15, Double, Double",
        "2.kb, 2048, Double, Double",
    })
    void numberLiteralsHaveTheValuePowerShellDocumentsAndTheShellsType(String literal, String value, String psType, String type) {
        assertEquals(value + "|" + type, shell.out("$v = " + literal + "; $v; $v.GetType().Name").replace("\n", "|"));
        assertEquals("", shell.errors());
    }

    @Test
    void aSuffixedLiteralIsWhatACastToItsTypeGivesHere() {
        assertEquals("True|True|True|True", shell.out("([decimal]10).Equals(10d); ([uint32]7).GetType() -eq (7u).GetType(); "
                + "([byte]7).GetType() -eq (7uy).GetType(); ([uint64]7).GetType() -eq (7ul).GetType()").replace("\n", "|"));
    }

    /** PowerShell's tokenizer ends a number at '..' (a range) and at a name after the point (a member), whatever the point's reals. */
    @Test
    void aRealMayEndInItsPointUnlessARangeOrAMemberFollows() {
        assertEquals("1,2,3|3|101|Double", shell.out("1..3 -join ','; (1..3).Count; 1.e2 + 1; (1.).GetType().Name").replace("\n", "|"));
        assertEquals("True|100", shell.out("1.Equals(1); Write-Output 1.e2").replace("\n", "|"));
        assertEquals("", shell.errors());
    }

    @Test
    void numberLiteralsAreNumbersInArgumentModeToo() {
        assertEquals("91|Int32|-1", shell.out("Write-Output 0b1011011 ((Write-Output 0b1011011).GetType().Name) 0xFFFFFFFF").replace("\n", "|"));
    }

    @ParameterizedTest
    @CsvSource({
        "1usgb, outside the range of [ushort]",
        "200y, outside the range of [sbyte]",
        "256uy, outside the range of [byte]",
        "40000s, outside the range of [short]",
        "0x1FFFFFFFFFFFFFFFF, outside the range of [long]",
        "99999999999999999999l, outside the range of [long]",
        "111111111111111111111111111n, beyond Int64, the largest integer this shell has (it has no [bigint] values",
        "18446744073709551615ul, beyond Int64, the largest integer this shell has (it has no [ulong] values",
    })
    void aLiteralOutsideItsTypeIsMalformedSayingWhy(String literal, String why) {
        shell.run("$v = " + literal);
        assertTrue(shell.errors().contains("'" + literal + "' is not a valid number: the value is " + why), shell.errors());
    }
}
