package dev.parvis.shell.command;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a command declares: its Verb-Noun name, help (synopsis, description, examples), parameters,
 * output type, whether it changes state (and so takes -WhatIf and -Confirm, asking by default when
 * its impact is high), and the module it belongs to (Get-Command's Source).
 */
public record CommandSpec(String name, String synopsis, String description, List<ParameterSpec> parameters,
                          List<HelpExample> examples, String outputType, boolean changesState, boolean highImpact,
                          String module) {
    public CommandSpec {
        Objects.requireNonNull(name);
        parameters = List.copyOf(parameters);
        examples = List.copyOf(examples);
        if (examples.isEmpty()) {
            throw new IllegalArgumentException(name + " has no help example");
        }
    }

    public Optional<ParameterSpec> parameter(String name) {
        return parameters.stream().filter(p -> p.answersTo(name)).findFirst();
    }

    public static Builder named(String name) {
        return new Builder(name);
    }

    /** Builds a spec; every command must give a synopsis and at least one example. */
    public static final class Builder {
        private final String name;
        private String synopsis = "";
        private String description = "";
        private final List<ParameterSpec> parameters = new ArrayList<>();
        private final List<HelpExample> examples = new ArrayList<>();
        private String outputType = "None";
        private boolean changesState;
        private boolean highImpact;
        private String module = "Parvis.Utility";

        private Builder(String name) {
            this.name = name;
        }

        public Builder synopsis(String text) {
            this.synopsis = text;
            return this;
        }

        public Builder description(String text) {
            this.description = text;
            return this;
        }

        public Builder parameter(ParameterSpec p) {
            parameters.add(p);
            return this;
        }

        public Builder example(String code, String remarks) {
            examples.add(new HelpExample(code, remarks));
            return this;
        }

        public Builder outputs(String type) {
            this.outputType = type;
            return this;
        }

        /** The command changes state: it takes -WhatIf and -Confirm. */
        public Builder changesState() {
            this.changesState = true;
            return this;
        }

        /** Like {@link #changesState()}, and it asks for confirmation unless -Force or -Confirm:$false. */
        public Builder highImpact() {
            this.changesState = true;
            this.highImpact = true;
            return this;
        }

        public Builder module(String module) {
            this.module = module;
            return this;
        }

        public CommandSpec build() {
            if (synopsis.isBlank()) {
                throw new IllegalArgumentException(name + " has no synopsis");
            }
            return new CommandSpec(name, synopsis, description.isBlank() ? synopsis : description, parameters, examples,
                    outputType, changesState, highImpact, module);
        }
    }
}
