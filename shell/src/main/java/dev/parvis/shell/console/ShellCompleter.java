package dev.parvis.shell.console;

import dev.parvis.shell.command.ArgumentCompletions;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.CommonParameterSpecs;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.engine.ShellSession;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * Tab completion at the prompt: command names (commands, aliases, functions) at the start of a
 * command, its parameters after '-', the values a parameter takes (its choices, VM names, paths),
 * and variables after '$'.
 */
final class ShellCompleter implements Completer {
    private static final int MAX_PATHS = 500;
    private final ShellSession session;

    ShellCompleter(ShellSession session) {
        this.session = session;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> out) {
        String before = line.line().substring(0, line.cursor());
        String word = line.word().substring(0, Math.min(line.wordCursor(), line.word().length()));
        List<String> tokens = commandTokens(before.substring(0, before.length() - word.length()));
        if (word.startsWith("$")) {
            session.variableNames().forEach(v -> out.add(candidate("$" + v, "variables")));
        } else if (tokens.isEmpty()) {
            commands(word, out);
        } else if (word.startsWith("-")) {
            spec(tokens.get(0)).ifPresent(s -> parameters(s, out));
            session.functionParameters(tokens.get(0)).forEach(p -> out.add(candidate("-" + p, "parameters")));
        } else {
            values(tokens, word, out);
        }
    }

    /**
     * The words of the command the cursor is in: after the last '|', ';', '{' or '(' outside quotes,
     * split at whitespace outside quotes (a quoted argument is one word, quotes kept). Quotes follow
     * the shell's rules: '' inside single quotes and a backtick escape inside double quotes do not end
     * the string.
     */
    static List<String> commandTokens(String before) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < before.length(); i++) {
            char c = before.charAt(i);
            if (quote != 0) {
                word.append(c);
                if (quote == '"' && c == '`' && i + 1 < before.length()) {
                    word.append(before.charAt(++i));
                } else if (c == quote && !(quote == '\'' && i + 1 < before.length() && before.charAt(i + 1) == '\'')) {
                    quote = 0;
                } else if (c == quote) {
                    word.append(before.charAt(++i)); // '' inside single quotes: a quote, the string goes on
                }
            } else if (c == '|' || c == ';' || c == '{' || c == '(') {
                out.clear();
                word.setLength(0);
            } else if (Character.isWhitespace(c)) {
                endWord(word, out);
            } else {
                quote = c == '\'' || c == '"' ? c : 0;
                word.append(c);
            }
        }
        endWord(word, out);
        return out;
    }

    private static void endWord(StringBuilder word, List<String> out) {
        if (!word.isEmpty()) {
            out.add(word.toString());
            word.setLength(0);
        }
    }

    private void commands(String word, List<Candidate> out) {
        for (CommandDefinition d : session.commands().all()) {
            out.add(new Candidate(d.spec().name(), d.spec().name(), "commands", d.spec().synopsis(), null, null, true));
        }
        session.commands().aliases().keySet().forEach(a -> out.add(candidate(a, "aliases")));
        session.functionNames().forEach(f -> out.add(candidate(f, "functions")));
        if (word.contains("/") || word.startsWith(".")) {
            paths(word, out);
        }
    }

    private Optional<CommandSpec> spec(String command) {
        return session.commands().find(command).map(CommandDefinition::spec);
    }

    private static void parameters(CommandSpec s, List<Candidate> out) {
        for (ParameterSpec p : s.parameters()) {
            out.add(new Candidate("-" + p.name(), "-" + p.name(), "parameters", p.help(), null, null, true));
        }
        CommonParameterSpecs.forCommand(s).forEach(p -> out.add(candidate("-" + p.name(), "common parameters")));
    }

    private void values(List<String> tokens, String word, List<Candidate> out) {
        Optional<ParameterSpec> param = spec(tokens.get(0)).flatMap(s -> parameterFor(s, tokens));
        if (param.isPresent()) {
            ParameterSpec p = param.get();
            p.choices().forEach(c -> out.add(candidate(c, "values")));
            if (ParameterSpec.COMPLETE_PATH.equals(p.completion())) {
                paths(word, out);
            } else if (p.completion() != null) {
                session.service(ArgumentCompletions.class).values(p.completion()).forEach(v -> out.add(candidate(quoted(v), "values")));
            }
            if (!p.choices().isEmpty() || p.completion() != null) {
                return;
            }
        }
        paths(word, out);
    }

    /** The parameter the next word is a value of: the named one just before it, else the next positional one. */
    static Optional<ParameterSpec> parameterFor(CommandSpec s, List<String> tokens) {
        String last = tokens.get(tokens.size() - 1);
        if (tokens.size() > 1 && last.startsWith("-") && !last.endsWith(":")) {
            Optional<ParameterSpec> named = s.parameter(last.substring(1));
            if (named.isPresent()) {
                return named.get().isSwitch() ? positional(s, tokens) : named;
            }
            if (CommonParameterSpecs.ERROR_ACTION.answersTo(last.substring(1))) {
                return Optional.of(CommonParameterSpecs.ERROR_ACTION);
            }
        }
        return positional(s, tokens);
    }

    private static Optional<ParameterSpec> positional(CommandSpec s, List<String> tokens) {
        int index = 0;
        for (int i = 1; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (t.startsWith("-")) {
                Optional<ParameterSpec> p = s.parameter(t.substring(1));
                if (p.isPresent() && !p.get().isSwitch()) {
                    i++;
                }
                continue;
            }
            index++;
        }
        int at = index;
        return s.parameters().stream().filter(p -> p.position() == at).findFirst();
    }

    private static void paths(String word, List<Candidate> out) {
        String expanded = word.startsWith("~/") ? System.getProperty("user.home") + word.substring(1) : word;
        int slash = expanded.lastIndexOf('/');
        String dirText = slash < 0 ? "" : expanded.substring(0, slash + 1);
        String prefix = slash < 0 ? expanded : expanded.substring(slash + 1);
        Path dir = Path.of(dirText.isEmpty() ? "." : dirText);
        String shownDir = slash < 0 ? "" : word.substring(0, word.lastIndexOf('/') + 1);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            int n = 0;
            for (Path e : entries) {
                String name = e.getFileName().toString();
                if (!name.startsWith(prefix) || name.startsWith(".") && !prefix.startsWith(".") || n++ >= MAX_PATHS) {
                    continue;
                }
                boolean isDir = Files.isDirectory(e);
                out.add(new Candidate(shownDir + name + (isDir ? "/" : ""), name + (isDir ? "/" : ""), "paths", null, null, null, !isDir));
            }
        } catch (IOException | RuntimeException e) {
            // an unreadable directory offers nothing
        }
    }

    private static String quoted(String v) {
        return v.matches("[A-Za-z0-9_.\\-]+") ? v : "'" + v.replace("'", "''") + "'";
    }

    private static Candidate candidate(String value, String group) {
        return new Candidate(value, value, group, null, null, null, true);
    }
}
