package dev.parvis.shell.engine;

import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.shell.syntax.ScriptBlockAst;
import dev.parvis.shell.syntax.ScriptParser;
import dev.parvis.shell.syntax.SourceSpan;
import dev.parvis.shell.syntax.SourceText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/** Script files run as commands ({@code ./deploy.ps1}): found by path, read, parsed; $PSScriptRoot set. */
final class ScriptFiles {
    private final Function<SourceText, ScriptBlockAst> parser;

    /** {@code parser} parses a file's text (the session's, which a cancel stops). */
    ScriptFiles(Function<SourceText, ScriptBlockAst> parser) {
        this.parser = parser;
    }

    record ScriptFile(ScriptBlockAst ast, Map<String, Object> presets) {
    }

    /** The script {@code name} names, or null when {@code name} does not look like a path. */
    ScriptFile find(String name, SourceSpan at) {
        boolean pathLike = name.contains("/") || name.contains("\\") || name.toLowerCase(java.util.Locale.ROOT).endsWith(".ps1");
        if (!pathLike) {
            return null;
        }
        Path p;
        try {
            p = Path.of(name.replace('\\', '/'));
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
        if (!Files.isRegularFile(p)) {
            return null;
        }
        return load(p, at);
    }

    private ScriptFile load(Path p, SourceSpan at) {
        try {
            if (Files.size(p) > ScriptParser.MAX_SCRIPT_CHARS * 4L) {
                throw new RuntimeError("The script file " + p + " is too large.", ErrorCategory.LIMITS_EXCEEDED, "ScriptTooLarge").at(at);
            }
            String text = Files.readString(p, StandardCharsets.UTF_8);
            Path abs = p.toAbsolutePath().normalize();
            ScriptBlockAst ast = parser.apply(new SourceText(abs.toString(), text));
            Path dir = abs.getParent();
            return new ScriptFile(ast, Map.of("PSScriptRoot", dir == null ? "" : dir.toString(), "PSCommandPath", abs.toString()));
        } catch (dev.parvis.shell.syntax.ParseException e) {
            throw ShellSession.parseError(e);
        } catch (IOException e) {
            throw new RuntimeError("Cannot read the script file " + p + ": " + e.getMessage(), ErrorCategory.READ_ERROR, "ScriptReadError").at(at);
        }
    }
}
