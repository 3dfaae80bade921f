package dev.parvis.shell.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.shell.ShellFixture;
import dev.parvis.shell.runtime.ErrorRecord;
import org.junit.jupiter.api.Test;

/** Errors are records that name the command and point at the mistake, in PowerShell's layout. */
class ErrorReportingTest {
    private final ShellFixture shell = new ShellFixture();

    @Test
    void aMistypedCommandIsUnderlinedAndASpellingIsSuggested() {
        shell.run("1..3 | Sort-Objekt");
        String e = shell.errors();
        assertTrue(e.startsWith("The term 'Sort-Objekt' is not recognized"), e);
        assertTrue(e.contains("Did you mean 'Sort-Object'?"), e);
        assertTrue(e.contains("At line:1 char:8\n+ 1..3 | Sort-Objekt\n+        ~~~~~~~~~~~\n"), e);
        assertTrue(e.contains("FullyQualifiedErrorId : CommandNotFoundException"), e);
    }

    @Test
    void aMistypedParameterNamesTheCommandAndThePosition() {
        shell.run("1..3 | Select-Object -Frist 1");
        String e = shell.errors();
        assertTrue(e.startsWith("Select-Object : A parameter cannot be found that matches parameter name 'Frist'. Did you mean -First?"), e);
        assertTrue(e.contains("char:22"), e);
        ErrorRecord r = shell.session.errors().get(0);
        assertEquals("Select-Object", r.commandName());
        assertEquals("NamedParameterNotFound,Parvis.Commands.SelectObject", r.fullyQualifiedErrorId());
    }

    @Test
    void aSyntaxErrorPointsAtTheOffendingToken() {
        RunResult r = shell.run("$x = 1 +\n$y = )");
        assertFalse(r.success());
        String e = shell.errors();
        assertTrue(e.startsWith("At line:2 char:6\n+ $y = )\n+      ~\nUnexpected token ')'"), e);
    }

    @Test
    void unsupportedOperatorsSayWhatToUseInstead() {
        shell.run("if ($a > 5) { }");
        assertTrue(shell.errors().contains("compare with -gt"), shell.errors());
        shell.run("$a -eqq 5");
        assertTrue(shell.errors().contains("Unknown operator '-eqq'. Did you mean '-eq'?"), shell.errors());
    }

    @Test
    void runtimeErrorsPointAtTheFailingExpressionInsideAScriptFile() {
        shell.session.runScript(new dev.parvis.shell.syntax.SourceText("/tmp/deploy.ps1", "'start'\n$n = 0\n$r = 10 / $n\n'after'"), java.util.List.of());
        String e = shell.errors();
        assertTrue(e.startsWith("Attempted to divide by zero.\nAt /tmp/deploy.ps1:3 char:6\n+ $r = 10 / $n\n+      ~~~~~~~"), e);
        assertTrue(shell.host.output().contains("after"), "a statement-terminating error ends only its statement");
    }

    @Test
    void aMistakeFarIntoALongLineIsShownInAnExcerptAroundIt() {
        shell.run("$x = " + "1 + ".repeat(500) + "(Sort-Objekt)");
        String e = shell.errors();
        assertTrue(e.contains("At line:1 char:2007\n"), e);
        java.util.List<String> lines = e.lines().toList();
        int at = lines.indexOf("At line:1 char:2007");
        String excerpt = lines.get(at + 1);
        String marks = lines.get(at + 2);
        assertTrue(excerpt.startsWith("+ ...") && excerpt.length() < 200, excerpt);
        assertEquals(excerpt.indexOf("Sort-Objekt"), marks.indexOf('~'), excerpt + "\n" + marks);
        assertTrue(marks.endsWith("~".repeat("Sort-Objekt".length())), marks);
    }

    @Test
    void deepNestingIsRefusedWithAnError() {
        RunResult r = shell.run("(".repeat(5000) + "1" + ")".repeat(5000));
        assertFalse(r.success());
        assertTrue(shell.errors().contains("nested too deeply"), shell.errors());
        shell.run("$x = " + "-".repeat(5000) + "1");
        assertTrue(shell.errors().contains("nested too deeply"), shell.errors());
    }

    @Test
    void throwEndsTheScriptWithExitCodeOne() {
        RunResult r = shell.session.runScript(new dev.parvis.shell.syntax.SourceText("/tmp/t.ps1", "'a'\nthrow 'stop here'\n'b'"), java.util.List.of());
        assertEquals(1, r.exitCode());
        assertEquals("a", shell.host.output().strip());
        assertTrue(shell.errors().startsWith("stop here\nAt /tmp/t.ps1:2 char:1"), shell.errors());
    }

    /** A throw of an empty or blank value once showed an error with no message at all (ScriptFuzzTest seed 1, cases 430 and 1059). */
    @Test
    void aThrowWithNothingToSayStillSaysScriptHalted() {
        for (String script : new String[] {"throw ''", "throw @()", "throw $args", "throw '   '", "throw $null"}) {
            shell.run(script);
            assertTrue(shell.errors().startsWith("ScriptHalted\nAt line:1 char:1"), script + ": " + shell.errors());
            assertEquals("ScriptHalted", shell.session.errors().get(0).message(), script);
        }
    }
}
