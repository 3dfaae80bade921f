package dev.parvis.shell.runtime;

import dev.parvis.shell.syntax.ScriptBlockAst;

/** A script block value ({@code { $_.Name }}): its syntax; shown as its text without the braces. */
public record ScriptBlock(ScriptBlockAst ast) {
    @Override
    public String toString() {
        String text = ast.span().text();
        if (text.startsWith("{") && text.endsWith("}")) {
            return text.substring(1, text.length() - 1);
        }
        return text;
    }
}
