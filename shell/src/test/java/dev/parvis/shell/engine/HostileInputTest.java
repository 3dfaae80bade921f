package dev.parvis.shell.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parvis.shell.ShellFixture;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.HelpExample;
import dev.parvis.shell.syntax.SourceText;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile input: 10,000 random and mutated scripts go through the parser and the evaluator of one
 * session (under a step budget, as the shell runs untrusted scripts). Each run must end in a result
 * (an error is fine) within a few seconds, without a Java exception escaping, an internal error, or a
 * stack overflow; deeply nested constructs of every kind are refused with an error.
 */
class HostileInputTest {
    private static final int SCRIPTS = 10_000;
    private static final long STEPS = 20_000;
    private static final ExecutorService RUNNER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(null, r, "hostile-eval", 256L << 20);
        t.setDaemon(true);
        return t;
    });

    private static final String[] TOKENS = {
        "Get-Date", "Write-Output", "Select-Object", "Where-Object", "ForEach-Object", "Sort-Object", "Measure-Object",
        "ConvertTo-Json", "ConvertFrom-Json", "Format-Table", "Out-String", "Group-Object", "Get-Member", "Get-Help",
        "-First", "-Property", "-Name", "-eq", "-ne", "-like", "-match", "-replace", "-split", "-join", "-f", "-and", "-or",
        "-not", "-in", "-contains", "-is", "-as", "-bnot", "-shl", "-band", "|", ";", "\n", "(", ")", "{", "}", "[", "]",
        "@(", "@{", "$(", ",", ".", "..", "::", "=", "+=", "++", "--", "+", "-", "*", "/", "%", "!", "&", ">", "&&",
        "$x", "$_", "$null", "$true", "$args", "$Error", "$env:HOME", "${odd}", "1", "0", "-1", "2GB", "0x7fffffff",
        "1e308", "99999999999999999999", "3.5", "'s'", "\"d $x $(1)\"", "@\"\nh\n\"@", "@'\nl\n'@", "if", "else",
        "elseif", "foreach", "for", "while", "do", "until", "function", "param", "begin", "process", "end", "try",
        "catch", "finally", "throw", "return", "break", "continue", "exit", "in", "[int]", "[string]", "[math]",
        "[datetime]", "[pscustomobject]", "[scriptblock]", "Round", "ToString", "Substring", "Invoke", "Count", "#",
        "<#", "#>", "`", "\"", "'", "$", "@", "\t", " ", " ", " ", "Name", "x*", "*", "?", "\\", "/tmp", "~"
    };

    @AfterAll
    static void stop() {
        RUNNER.shutdownNow();
    }

    @Test
    void tenThousandRandomAndMutatedScriptsEndInErrorsNotCrashes() throws Exception {
        Random random = new Random(20261201L);
        List<String> corpus = corpus();
        ShellFixture shell = new ShellFixture(new BufferHost(100, false), STEPS);
        int errors = 0;
        long start = System.nanoTime();
        for (int i = 0; i < SCRIPTS; i++) {
            String script = switch (i % 3) {
                case 0 -> soup(random);
                case 1 -> mutate(corpus.get(random.nextInt(corpus.size())), random);
                default -> mutate(mutate(corpus.get(random.nextInt(corpus.size())), random), random);
            };
            if (!runWithin(shell, script).success()) {
                errors++;
            }
            if (shell.host.transcript().length() > 1_000_000) {
                shell.host.clear();
            }
        }
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        System.out.printf("hostile input: %d scripts, %d ended in errors, %d s%n", SCRIPTS, errors, seconds);
        assertEquals(0, shell.session.internalErrors(), "shell bugs (internal errors) during the run");
        assertTrue(errors > SCRIPTS / 4, "most random scripts are errors: " + errors);
        assertEquals("2", shell.out("1 + 1"), "the session still works");
    }

    @Test
    void deepNestingOfEveryKindIsRefusedWithAnError() throws Exception {
        ShellFixture shell = new ShellFixture(new BufferHost(100, false), STEPS);
        List<Function<Integer, String>> nestings = List.of(
                n -> "(".repeat(n) + "1" + ")".repeat(n),
                n -> "{".repeat(n) + "}".repeat(n),
                n -> "@(".repeat(n) + ")".repeat(n),
                n -> "$(".repeat(n) + ")".repeat(n),
                n -> "\"$(".repeat(n) + "1" + ")\"".repeat(n),
                n -> "@{a=".repeat(n) + "1" + "}".repeat(n),
                n -> "if (1) {".repeat(n) + "}".repeat(n),
                n -> "& {".repeat(n) + "}".repeat(n),
                n -> "$a[".repeat(n) + "0" + "]".repeat(n),
                n -> "-not ".repeat(n) + "1",
                n -> "!".repeat(n) + "1",
                n -> ",".repeat(n) + "1",
                n -> "[int]".repeat(n) + "1",
                n -> "1 + ".repeat(n) + "1",
                n -> "$x.a".repeat(1) + ".b".repeat(n),
                n -> "function f { ".repeat(n) + "}".repeat(n));
        for (Function<Integer, String> nesting : nestings) {
            for (int depth : new int[] {100, 3_000}) {
                String script = nesting.apply(depth);
                RunResult r = runWithin(shell, script);
                if (depth >= 3_000 && r.success() && !script.startsWith("1 + ") && !script.startsWith("$x.a")) {
                    fail("nesting " + depth + " deep was not refused: " + script.substring(0, 40));
                }
            }
        }
        assertEquals(0, shell.session.internalErrors());
        assertTrue(shell.errors().contains("nested too deeply"), "a refusal says why");
        assertEquals("2", shell.out("1 + 1"));
    }

    @Test
    void hostileDataCannotRecurseTheShellToDeath() throws Exception {
        ShellFixture shell = new ShellFixture(new BufferHost(100, false), 300_000);
        String[] scripts = {
            "$o = [pscustomobject]@{a=1}; $o.a = $o; \"$o\"; $o | Format-List | Out-String; $o | ConvertTo-Json -Depth 100 | Out-Null",
            "$a = 1; 1..20000 | ForEach-Object { $a = ,$a }; [bool]$a; $a + 1; $a.Foo; $a | Out-String | Out-Null",
            "$h = @{}; $h.h = $h; $h | ConvertTo-Json -Depth 100 | Out-Null; \"$h\"",
            "'x' * 100000000",
            "@(0) * 100000000",
            "$s = 'a'; while ($true) { $s += $s }",
        };
        for (String s : scripts) {
            runWithin(shell, s);
        }
        assertEquals(0, shell.session.internalErrors(), shell.errors());
        assertTrue(shell.errors().contains("limit"), shell.errors());
        assertEquals("2", shell.out("1 + 1"));
    }

    @Test
    void hugeLiteralsAndLongScriptsEndInResultsOrClearRefusals() throws Exception {
        ShellFixture shell = new ShellFixture(new BufferHost(100, false), 2_000_000);
        int half = 490_000;
        String[] accepted = {
            "$s = '" + "a".repeat(half) + "'; $s.Length",
            "$s = @'\n" + "h".repeat(half) + "\n'@; $s.Length",
            "$a = " + "7,".repeat(half / 2 - 10) + "7; $a.Count",
            "1;".repeat(half / 2) + "'many statements'",
            "$x = 1; \"" + "$x".repeat(half / 3) + "\".Length",
            "1+".repeat(half / 2) + "1",
        };
        String[] expected = {String.valueOf(half), String.valueOf(half), String.valueOf(half / 2 - 9), "many statements", String.valueOf(half / 3),
            String.valueOf(half / 2 + 1)};
        for (int i = 0; i < accepted.length; i++) {
            shell.host.clear();
            RunResult r = runWithin(shell, accepted[i]);
            assertTrue(r.success(), abbreviate(accepted[i]) + ": " + shell.errors());
            List<String> lines = shell.host.output().strip().lines().toList();
            assertEquals(expected[i], lines.get(lines.size() - 1), abbreviate(accepted[i]));
        }
        String[] refused = {
            "'" + "a".repeat(1_200_000) + "'",
            "1" + "0".repeat(100_000),
            "0x" + "f".repeat(100_000),
        };
        String[] why = {"longer than 1000000 characters", "number literal longer than", "number literal longer than"};
        for (int i = 0; i < refused.length; i++) {
            shell.host.clear();
            RunResult r = runWithin(shell, refused[i]);
            assertFalse(r.success(), abbreviate(refused[i]));
            assertTrue(shell.host.errors().contains(why[i]), abbreviate(refused[i]) + ": " + abbreviate(shell.host.errors()));
            assertTrue(shell.host.errors().length() < 1_000, "the error quotes an excerpt, not the literal: " + abbreviate(shell.host.errors()));
        }
        assertEquals(0, shell.session.internalErrors(), shell.errors());
        assertEquals("2", shell.out("1 + 1"));
    }

    /**
     * A run of separators or newlines that two parts of a rule could both take (before the first
     * statement of a script, block, subexpression or hashtable; inside the brackets of a param
     * block, attribute, function or method call) once made the parser look ahead through the whole
     * run at each of them: 100,000 blank lines took tens of minutes, and parsing does not stop for
     * Ctrl-C (found by ScriptFuzzTest, seed 20261204, case 846).
     */
    @Test
    void aHundredThousandBlankLinesOrSeparatorsParseWithoutHanging() throws Exception {
        ShellFixture shell = new ShellFixture(new BufferHost(100, false), STEPS);
        String lines = "\n".repeat(100_000);
        String[] scripts = {lines + ")", lines + "'end'", "{" + lines + "}", "@{" + lines + "}", "$(" + lines + ")", ";".repeat(100_000) + "'end'",
            "param(" + lines + ")", "param([Parameter(" + lines + ")]$x)", "function f(" + lines + ") { }", "'a'.Substring(" + lines + "1" + lines + ")"};
        for (String script : scripts) {
            runWithin(shell, script);
        }
        assertTrue(shell.errors().contains("Unexpected token ')'"), shell.errors());
        assertEquals("end", shell.out(lines + "'end'"));
        assertEquals("", shell.out("'a'.Substring(" + lines + "1" + lines + ")"));
        assertEquals(0, shell.session.internalErrors(), shell.errors());
    }

    /**
     * A for header took any number of separators between its optional parts, and the parser looked
     * ahead through all of them at each one: 200,000 semicolons would have parsed for hours
     * (ScriptFuzzTest seed 20261204, case 914). One ';' between the parts, as in PowerShell.
     */
    @Test
    void aForHeaderOfManySemicolonsIsRefusedAtOnce() throws Exception {
        ShellFixture shell = new ShellFixture(new BufferHost(100, false), STEPS);
        RunResult r = runWithin(shell, "for ($i = 0; $i -lt 16" + ";".repeat(200_000) + " $i++) { }");
        assertFalse(r.success());
        assertTrue(shell.errors().contains("Unexpected token ';'"), shell.errors());
        String lines = "\n".repeat(50_000);
        assertEquals("0\n1", shell.out("for (" + lines + "$i = 0" + lines + ";" + lines + "$i -lt 2" + lines + ";" + lines + "$i++" + lines + ") { $i }"));
        assertEquals("x", shell.out("for (;;) { 'x'; break }"));
        assertEquals(0, shell.session.internalErrors(), shell.errors());
    }

    @Test
    void aCatastrophicRegularExpressionStopsAtTheBudget() throws Exception {
        ShellFixture shell = new ShellFixture(new BufferHost(100, false), STEPS);
        // A backreference defeats the regex engine's loop optimisations: 28 characters take it minutes.
        RunResult r = runWithin(shell, "'" + "a".repeat(40) + "!' -match '^(a+)+\\1$'");
        assertFalse(r.success());
        assertTrue(shell.errors().contains("evaluation limit"), shell.errors());
        assertEquals("2", shell.out("1 + 1"));
    }

    private static RunResult runWithin(ShellFixture shell, String script) throws Exception {
        Future<RunResult> f = RUNNER.submit(() -> shell.session.run(SourceText.interactive(script)));
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            shell.session.cancel();
            fail("the shell hung on: " + abbreviate(script));
            throw e;
        } catch (java.util.concurrent.ExecutionException e) {
            fail("an exception escaped the shell on: " + abbreviate(script), e.getCause());
            throw e;
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    private static String soup(Random r) {
        StringBuilder b = new StringBuilder();
        int n = 1 + r.nextInt(40);
        for (int i = 0; i < n; i++) {
            b.append(TOKENS[r.nextInt(TOKENS.length)]);
            if (r.nextInt(3) > 0) {
                b.append(' ');
            }
        }
        return b.toString();
    }

    private static String mutate(String s, Random r) {
        StringBuilder b = new StringBuilder(s);
        int edits = 1 + r.nextInt(4);
        for (int i = 0; i < edits; i++) {
            int at = b.isEmpty() ? 0 : r.nextInt(b.length());
            switch (r.nextInt(5)) {
                case 0 -> {
                    if (!b.isEmpty()) {
                        b.deleteCharAt(at);
                    }
                }
                case 1 -> b.insert(at, TOKENS[r.nextInt(TOKENS.length)]);
                case 2 -> b.insert(at, (char) (r.nextInt(95) + 32));
                case 3 -> {
                    int len = Math.min(b.length() - at, 1 + r.nextInt(10));
                    b.insert(at, b.substring(at, at + len));
                }
                default -> {
                    int len = Math.min(b.length() - at, 1 + r.nextInt(5));
                    b.delete(at, at + len);
                }
            }
        }
        return b.toString();
    }

    /** Valid scripts to mutate: the language tests' and every command's help examples. */
    private static List<String> corpus() {
        List<String> out = new ArrayList<>();
        LanguageTest.scripts().forEach(a -> out.add((String) a.get()[0]));
        ShellFixture shell = new ShellFixture();
        for (CommandDefinition d : shell.session.commands().all()) {
            for (HelpExample e : d.spec().examples()) {
                out.add(e.code());
            }
        }
        assertFalse(out.isEmpty());
        return out;
    }
}
