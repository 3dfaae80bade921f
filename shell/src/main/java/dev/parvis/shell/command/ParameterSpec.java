package dev.parvis.shell.command;

import java.util.List;
import java.util.Objects;

/**
 * One declared parameter of a command.
 *
 * @param name          the parameter's name ({@code Name}, written {@code -Name})
 * @param aliases       other names ({@code VMName})
 * @param kind          the type its value is converted to
 * @param position      the positional index, or {@link #NAMED} when it must be named
 * @param mandatory     whether the command needs it (from the command line or pipeline input)
 * @param pipeline      whether it takes pipeline input
 * @param help          one or two sentences for Get-Help
 * @param choices       the allowed values of a {@link ParameterKind#CHOICE}
 * @param objectType    the type name a {@link ParameterKind#TYPED_OBJECTS} parameter accepts
 * @param remaining     takes every positional argument left over ({@code Write-Host a b c})
 * @param completion    what the prompt offers for its value on Tab: {@link #COMPLETE_PATH}, or a key of
 *                      {@link ArgumentCompletions} (VM names), or null
 */
public record ParameterSpec(String name, List<String> aliases, ParameterKind kind, int position, boolean mandatory,
                            PipelineInput pipeline, String help, List<String> choices, String objectType,
                            boolean remaining, String completion) {
    public static final int NAMED = -1;
    /** Complete the value as a file system path. */
    public static final String COMPLETE_PATH = "path";

    public ParameterSpec {
        Objects.requireNonNull(name);
        aliases = List.copyOf(aliases);
        choices = List.copyOf(choices);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(pipeline);
        Objects.requireNonNull(help);
    }

    public static ParameterSpec of(String name, ParameterKind kind, String help) {
        return new ParameterSpec(name, List.of(), kind, NAMED, false, PipelineInput.NONE, help, List.of(), null, false, null);
    }

    public ParameterSpec at(int pos) {
        return new ParameterSpec(name, aliases, kind, pos, mandatory, pipeline, help, choices, objectType, remaining, completion);
    }

    public ParameterSpec required() {
        return new ParameterSpec(name, aliases, kind, position, true, pipeline, help, choices, objectType, remaining, completion);
    }

    public ParameterSpec fromPipeline(PipelineInput how) {
        return new ParameterSpec(name, aliases, kind, position, mandatory, how, help, choices, objectType, remaining, completion);
    }

    public ParameterSpec alias(String... more) {
        return new ParameterSpec(name, List.of(more), kind, position, mandatory, pipeline, help, choices, objectType, remaining, completion);
    }

    public ParameterSpec choices(String... values) {
        return new ParameterSpec(name, aliases, kind, position, mandatory, pipeline, help, List.of(values), objectType, remaining, completion);
    }

    public ParameterSpec ofType(String typeName) {
        return new ParameterSpec(name, aliases, kind, position, mandatory, pipeline, help, choices, typeName, remaining, completion);
    }

    /** This (positional) parameter also takes the positional arguments left over. */
    public ParameterSpec remainingArguments() {
        return new ParameterSpec(name, aliases, kind, position, mandatory, pipeline, help, choices, objectType, true, completion);
    }

    /** Tab completes this parameter's value from {@code source} ({@link #COMPLETE_PATH} or an {@link ArgumentCompletions} key). */
    public ParameterSpec completes(String source) {
        return new ParameterSpec(name, aliases, kind, position, mandatory, pipeline, help, choices, objectType, remaining, source);
    }

    public boolean isSwitch() {
        return kind == ParameterKind.SWITCH;
    }

    public boolean answersTo(String written) {
        return name.equalsIgnoreCase(written) || aliases.stream().anyMatch(a -> a.equalsIgnoreCase(written));
    }
}
