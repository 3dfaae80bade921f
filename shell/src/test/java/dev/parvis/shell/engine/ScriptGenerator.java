package dev.parvis.shell.engine;

import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import java.util.List;
import java.util.Random;

/**
 * Well-formed-looking scripts from a small model of the shell's grammar: statements (pipelines,
 * assignments, if/elseif/else, foreach, for, while, do/until, try/catch/finally, functions with
 * param blocks and calls to them, throw/return/break/continue/exit, background jobs) over expressions (numbers in
 * every notation, strings with escapes, subexpressions and here-strings, arrays, hashtables, script
 * blocks, casts, members, operators) and commands taken from the session's own table with arguments
 * of the right and of the wrong type, plus commands and parameters that do not exist. Loops the
 * generator writes are bounded; runaway ones come from {@link ScriptMutator}.
 */
final class ScriptGenerator {
    private static final int MAX_DEPTH = 4;
    private static final String[] VARIABLES = {"$a", "$b", "$i", "$s", "$h", "$null", "$true", "$false", "$_", "$args", "$x.y", "${odd name}", "$env:PATH",
        "$PSVersionTable", "$Error", "$script:a", "$global:b"};
    private static final String[] FUNCTIONS = {"fz-one", "fz-two", "fzThree"};
    private static final String[] MISSING = {"Get-Nothing", "Invoke-Fuzz", "Stop-Universe", "get-vmm", "Write-Outptu", "fz-undefined", "..\\nope", "./nope.ps1"};
    private static final String[] NUMBERS = {"0", "1", "-1", "42", "3.5", "1e3", "1e308", "1e309", "-1e-320", "0x10", "0xFFFFFFFF", "0x7fffffffffffffff",
        "99999999999999999999", "2147483648", "-2147483649", "1kb", "1.5mb", "2GB", "1pb", "0.0", "1L", ".5", "0x0"};
    private static final String[] TYPES = {"[int]", "[long]", "[double]", "[string]", "[bool]", "[char]", "[byte]", "[array]", "[hashtable]", "[datetime]",
        "[timespan]", "[scriptblock]", "[pscustomobject]", "[regex]", "[math]", "[int[]]", "[string[]]", "[System.Int32]", "[Nope.Type]", "[void]", "[guid]"};
    private static final String[] MEMBERS = {".Length", ".Count", ".Name", ".State", ".Keys", ".Values", ".ToUpper()", ".ToString()", ".Substring(1)",
        ".Substring(-1, 99)", ".Split(',')", ".Replace('a', 'b')", ".Trim()", ".GetType()", ".Contains('x')", ".IndexOf('z')", ".PadLeft(3)", ".Nope",
        ".Nope()", ".Add(1)", ".Invoke()", ".psobject", "[0]", "[-1]", "[1..2]", "['k']", "[$i]", "[99999]"};
    private static final String[] STATICS = {"[math]::Round(2.5)", "[math]::Max(1, 2)", "[math]::Pow(2, 1024)", "[int]::MaxValue", "[long]::MinValue",
        "[string]::Join(',', @(1, 2))", "[string]::Empty", "[datetime]::Now", "[math]::Sqrt(-1)", "[int]::Parse('x')", "[char]::ConvertFromUtf32(1114112)",
        "[System.IO.Path]::GetTempPath()", "[math]::Nope()", "[guid]::NewGuid()", "[regex]::Escape('a.b')"};
    private static final String[] BINARY = {"+", "-", "*", "/", "%", "-eq", "-ne", "-gt", "-lt", "-ge", "-le", "-like", "-notlike", "-match", "-notmatch",
        "-replace", "-split", "-join", "-f", "-and", "-or", "-xor", "-band", "-bor", "-bxor", "-shl", "-shr", "-in", "-notin", "-contains", "-is", "-as",
        "-ceq", "-ilike", "..", ","};
    private static final String[] UNARY = {"-not ", "!", "-", "+", "-bnot ", "-split ", "-join ", "++", "--", ","};
    private static final String[] WORDS = {"fuzz-a", "fuzz-b", "fuzz-missing", "*", "fuzz*", "a b", "", "'", "C:\\x", "fz.txt", "nope/dir/f.txt", "0", "-1",
        "true", "Running", "Off", "localhost", ".", "\u00e9\u4e2d", "x".repeat(300)};

    private final Random r;
    private final List<CommandSpec> commands;

    /** {@code commands}: the specs a script may call (the session's table without those that reach outside the test). */
    ScriptGenerator(Random r, List<CommandSpec> commands) {
        this.r = r;
        this.commands = commands;
    }

    String script() {
        StringBuilder b = new StringBuilder();
        int n = 1 + r.nextInt(6);
        for (int i = 0; i < n; i++) {
            b.append(statement(0)).append(pick("\n", "; ", "\r\n", "\n\n"));
        }
        return b.toString();
    }

    String statement(int depth) {
        if (depth >= MAX_DEPTH) {
            return pipeline(depth);
        }
        return switch (r.nextInt(18)) {
            case 0, 1, 2 -> pipeline(depth);
            case 3, 4 -> pick("$a", "$b", "$s", "$h", "$x.y", "${odd name}", "$env:FUZZ", "$script:a", "$global:b", "$h['k']", "$a[0]") + " " + pick("=", "+=", "-=", "*=", "/=", "%=") + " " + pipeline(depth + 1);
            case 5 -> "if (" + expression(depth + 1) + ") " + block(depth) + (r.nextBoolean() ? " elseif (" + expression(depth + 1) + ") " + block(depth) : "")
                    + (r.nextBoolean() ? " else " + block(depth) : "");
            case 6 -> "foreach ($i in " + expression(depth + 1) + ") " + block(depth);
            case 7 -> "for ($i = 0; $i -lt " + r.nextInt(6) + "; $i++) " + block(depth);
            case 8 -> "$i = 0; while ($i -lt " + r.nextInt(6) + ") { $i++; " + statement(depth + 1) + " }";
            case 9 -> "$i = 0; do { $i++; " + statement(depth + 1) + " } " + pick("while ($i -lt 3)", "until ($i -ge 3)");
            case 10 -> function(depth);
            case 11 -> tryStatement(depth);
            case 12 -> pick("break", "continue", "return", "return " + expression(depth + 1), "throw " + expression(depth + 1), "throw", "exit",
                    "exit " + pick(NUMBERS));
            case 13 -> callFunction(depth);
            case 14, 15 -> job(depth);
            default -> expression(depth + 1) + " | " + command(depth + 1) + (r.nextBoolean() ? " | " + command(depth + 1) : "");
        };
    }

    /** Background jobs: started (some never end on their own, some start jobs of their own), waited for with a timeout, received, stopped, removed. */
    private String job(int depth) {
        String target = pick("$j", "-Id " + r.nextInt(4), "-Name fz*", "", "-Job $j", "(Get-Job)");
        return switch (r.nextInt(8)) {
            case 0, 1, 2 -> pick("$j = ", "", "$null = ") + "Start-Job " + pick("", "-Name " + pick("fzjob", "fz2", "'a b'") + " ") + jobBlock(depth)
                    + (r.nextBoolean() ? " -ArgumentList " + argument(depth + 1) : "");
            case 3 -> pick("$j", "Get-Job", "Get-Job -Name fz*") + " | Wait-Job -Timeout " + pick("0", "1") + pick("", " | Receive-Job");
            case 4 -> "Receive-Job " + target + pick("", " -Keep", " -Wait");
            case 5 -> "Stop-Job " + target + pick("", " -PassThru");
            case 6 -> "Remove-Job " + target + pick("", " -Force");
            default -> "Get-Job " + target + pick("", " | Select-Object -ExpandProperty State", " | Format-Table");
        };
    }

    private String jobBlock(int depth) {
        return switch (r.nextInt(4)) {
            case 0 -> pick("{ while ($true) { } }", "{ Start-Sleep 60 }", "{ 1..3 }", "{ $args }", "{ throw 'fz' }");
            case 1 -> pick("{ Start-Job { while (1) { } }; while (1) { } }", "{ Start-Job { Start-Sleep 60 } | Wait-Job }", "{ $null = Start-Job { 1 }; Get-Job }");
            default -> scriptBlock(depth + 1);
        };
    }

    private String block(int depth) {
        StringBuilder b = new StringBuilder("{ ");
        int n = r.nextInt(3);
        for (int i = 0; i < n; i++) {
            b.append(statement(depth + 1)).append(pick("; ", "\n"));
        }
        return b.append("}").toString();
    }

    private String function(int depth) {
        String name = pick(FUNCTIONS);
        StringBuilder params = new StringBuilder();
        int n = r.nextInt(3);
        for (int i = 0; i < n; i++) {
            params.append(i > 0 ? ", " : "").append(r.nextInt(3) == 0 ? "[Parameter(Mandatory)]" : "")
                    .append(r.nextBoolean() ? pick(TYPES) : "").append(new String[] {"$p", "$q", "$Name", "$n"}[i]).append(r.nextBoolean() ? " = " + literal(depth + 1) : "");
        }
        String body = r.nextInt(4) == 0
                ? "begin { " + statement(depth + 1) + " } process { " + statement(depth + 1) + " } end { " + statement(depth + 1) + " }"
                : statement(depth + 1);
        return pick("function ", "filter ") + name + " { param(" + params + ")\n " + body + " }";
    }

    private String callFunction(int depth) {
        StringBuilder b = new StringBuilder(pick(FUNCTIONS));
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
            b.append(' ').append(r.nextBoolean() ? pick("-p", "-q", "-Name", "-n", "-Bogus") + " " : "").append(argument(depth + 1));
        }
        return b.toString();
    }

    private String tryStatement(int depth) {
        StringBuilder b = new StringBuilder("try ").append(block(depth));
        int catches = r.nextInt(3);
        for (int i = 0; i < catches; i++) {
            b.append(" catch ").append(r.nextBoolean() ? pick("[System.Exception] ", "[RuntimeException] ", "[Nope] ", "[int], [string] ") : "")
                    .append("{ ").append(pick("$_.Exception.Message", "$_", "$_.FullyQualifiedErrorId", "throw", "$_.InvocationInfo")).append(" }");
        }
        if (catches == 0 || r.nextBoolean()) {
            b.append(" finally ").append(block(depth));
        }
        return b.toString();
    }

    String pipeline(int depth) {
        StringBuilder b = new StringBuilder(r.nextInt(3) == 0 ? expression(depth + 1) : command(depth + 1));
        int stages = r.nextInt(3);
        for (int i = 0; i < stages; i++) {
            b.append(" | ").append(command(depth + 1));
        }
        return b.toString();
    }

    /** A command: usually one of the table's with typed (sometimes wrongly typed) parameters, sometimes one that does not exist. */
    String command(int depth) {
        if (r.nextInt(10) == 0) {
            return pick(MISSING) + " " + argument(depth + 1);
        }
        if (r.nextInt(12) == 0) {
            return pick("&", ".") + " " + scriptBlock(depth + 1) + " " + argument(depth + 1);
        }
        CommandSpec spec = commands.get(r.nextInt(commands.size()));
        StringBuilder b = new StringBuilder(spec.name());
        int n = r.nextInt(4);
        for (int i = 0; i < n && !spec.parameters().isEmpty(); i++) {
            ParameterSpec p = spec.parameters().get(r.nextInt(spec.parameters().size()));
            b.append(" -").append(r.nextInt(8) == 0 ? p.name().substring(0, 1 + r.nextInt(p.name().length())) : p.name());
            if (!p.isSwitch() || r.nextInt(5) == 0) {
                b.append(p.isSwitch() ? ":" + pick("$true", "$false", "0", "'x'") : " " + (r.nextInt(4) == 0 ? argument(depth + 1) : value(p.kind(), depth + 1)));
            }
        }
        if (r.nextInt(6) == 0) {
            b.append(" -Bogus ").append(argument(depth + 1));
        }
        if (r.nextInt(4) == 0) {
            b.append(' ').append(argument(depth + 1));
        }
        return b.toString();
    }

    /** A value of the kind a parameter takes. */
    private String value(ParameterKind kind, int depth) {
        return switch (kind) {
            case SWITCH, BOOL -> pick("$true", "$false", "1", "0");
            case INT, LONG, DOUBLE -> pick(NUMBERS);
            case SCRIPTBLOCK, SCRIPTBLOCK_ARRAY -> scriptBlock(depth);
            case HASHTABLE -> hashtable(depth);
            case STRING_ARRAY, OBJECT_ARRAY, TYPED_OBJECTS -> quoted(pick(WORDS)) + "," + quoted(pick(WORDS));
            default -> r.nextBoolean() ? quoted(pick(WORDS)) : pick(WORDS).replaceAll("[^\\w*.-]", "");
        };
    }

    /** A command argument: a bare word, a literal or variable, a block or hashtable, or a parenthesized expression. */
    private String argument(int depth) {
        return switch (r.nextInt(6)) {
            case 0 -> pick(WORDS).replaceAll("[^\\w*.-]", "x").replaceFirst("^-", "x");
            case 1, 2 -> depth >= MAX_DEPTH ? pick(NUMBERS).replaceFirst("^-", "") : "(" + expression(depth) + ")";
            case 3 -> pick(VARIABLES);
            case 4 -> depth >= MAX_DEPTH ? "{ $_ }" : scriptBlock(depth);
            default -> quoted(pick(WORDS));
        };
    }

    String expression(int depth) {
        if (depth >= MAX_DEPTH) {
            return literal(depth);
        }
        return switch (r.nextInt(7)) {
            case 0, 1 -> primary(depth + 1);
            case 2 -> {
                String op = pick(UNARY);
                yield op.equals("++") || op.equals("--") ? op + pick("$a", "$i", "$h.k") : op + primary(depth + 1);
            }
            case 3 -> pick(TYPES) + primary(depth + 1);
            default -> primary(depth + 1) + " " + pick(BINARY) + " " + primary(depth + 1);
        };
    }

    private String primary(int depth) {
        if (depth >= MAX_DEPTH) {
            return literal(depth);
        }
        String base = switch (r.nextInt(12)) {
            case 0, 1 -> literal(depth);
            case 2 -> variable();
            case 3 -> "(" + pipeline(depth + 1) + ")";
            case 4 -> "$(" + statement(depth + 1) + ")";
            case 5 -> "@(" + expression(depth + 1) + ")";
            case 6 -> hashtable(depth);
            case 7 -> scriptBlock(depth);
            case 8 -> pick(STATICS);
            case 9 -> expandable(depth);
            case 10 -> pick("@()", "@{}", "1..5", "'a','b','c'", "@(1,@(2,@(3)))", "[pscustomobject]@{Name='p'; State='Off'}");
            default -> pick(TYPES);
        };
        boolean bare = base.matches("[-\\w.$:{}]+|'.*'|\\[.*\\]") && !base.startsWith("$");
        return r.nextInt(3) == 0 ? (bare ? "(" + base + ")" : base) + pick(MEMBERS) : base;
    }

    private String literal(int depth) {
        return switch (r.nextInt(6)) {
            case 0, 1 -> pick(NUMBERS);
            case 2 -> quoted(pick(WORDS));
            case 3 -> pick("'it''s'", "''", "'`n is literal'", "'$a'", "\"tab`t nl`n esc`e bell`a null`0 uni`u{1F600} bad`u{110000} q`\" d`$a\"", "\"\"",
                    "\"`\"", "\"$\"", "\"${a}b\"", "\"$($a)\"", "\"$a.Length\"", "\"$($null)\"");
            case 4 -> pick("@'\nliteral $a `n\n'@", "@\"\nexpand $a $(1+1) `t\n\"@", "@\"\n \n\"@", "@'\n'' '\n'@");
            default -> variable();
        };
    }

    private String expandable(int depth) {
        return "\"" + pick("x ", "", "`t", "`$", "$a ", "`u{41}") + "$(" + expression(depth + 1) + ")" + pick("", " $b", " `\"q`\"") + "\"";
    }

    private String hashtable(int depth) {
        StringBuilder b = new StringBuilder("@{");
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
            b.append(i > 0 ? pick("; ", "\n") : "").append(pick("Name", "State", "k", "'quoted key'", "1", "Expression", "if")).append(" = ")
                    .append(depth >= MAX_DEPTH ? literal(depth) : expression(depth + 1));
        }
        return b.append("}").toString();
    }

    private String scriptBlock(int depth) {
        if (r.nextInt(3) == 0) {
            return "{ param($p)\n " + statement(Math.min(depth + 1, MAX_DEPTH)) + " }";
        }
        return "{ " + (depth >= MAX_DEPTH ? pick("$_", "$_.Name", "$_ -gt 1") : statement(depth + 1)) + " }";
    }

    private String variable() {
        return pick(VARIABLES);
    }

    private static String quoted(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    private String pick(String... options) {
        return options[r.nextInt(options.length)];
    }
}
