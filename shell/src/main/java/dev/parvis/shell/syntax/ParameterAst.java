package dev.parvis.shell.syntax;

import java.util.List;

/**
 * A declared parameter of a function or script: name, type (may be null), default value (may be
 * null), and what its {@code [Parameter(...)]} and {@code [ValidateSet(...)]} attributes say.
 */
public record ParameterAst(SourceSpan span, String name, TypeName type, Expression defaultValue, boolean mandatory,
                           int position, boolean fromPipeline, boolean fromPipelineByPropertyName,
                           List<String> validateSet, String helpMessage) {
    /** No explicit position. */
    public static final int NO_POSITION = -1;

    public ParameterAst {
        validateSet = List.copyOf(validateSet);
    }

    public boolean isSwitch() {
        return type != null && type.name().equalsIgnoreCase("switch");
    }
}
