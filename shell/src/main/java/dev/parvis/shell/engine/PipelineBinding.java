package dev.parvis.shell.engine;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.PSObject;
import dev.parvis.shell.runtime.RuntimeError;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds one pipeline object to a command's pipeline parameters, in PowerShell's order: by value
 * where the object already has the parameter's type, then by property name ({@code VMName},
 * {@code Path}), then by value with conversion.
 */
final class PipelineBinding {
    private PipelineBinding() {
    }

    /** The parameters for {@code input}; throws a RuntimeError when it binds to none. */
    static BoundParameters bind(CommandSpec spec, BoundParameters base, Object input) {
        List<ParameterSpec> open = spec.parameters().stream()
                .filter(p -> p.pipeline() != dev.parvis.shell.command.PipelineInput.NONE && !base.has(p.name())).toList();
        for (ParameterSpec p : open) {
            if (p.pipeline().byValue() && ParameterConverter.acceptsExactly(p, input)) {
                return base.with(java.util.Collections.singletonMap(p.name(), ParameterConverter.convert(p, input)));
            }
        }
        Map<String, Object> byName = new LinkedHashMap<>();
        if (input instanceof PSObject o) {
            for (ParameterSpec p : open) {
                if (p.pipeline().byPropertyName()) {
                    String prop = propertyFor(o, p);
                    if (prop != null && o.get(prop) != null) {
                        byName.put(p.name(), ParameterConverter.convert(p, o.get(prop)));
                    }
                }
            }
        }
        if (!byName.isEmpty()) {
            return base.with(byName);
        }
        for (ParameterSpec p : open) {
            if (p.pipeline().byValue()) {
                try {
                    return base.with(java.util.Collections.singletonMap(p.name(), ParameterConverter.convert(p, input)));
                } catch (RuntimeError ignored) {
                    // try the next parameter
                }
            }
        }
        throw RuntimeError.of("ParameterBindingException", "The input object cannot be bound to any parameters for the command either "
                + "because the command does not take pipeline input or the input and its properties do not match any of the parameters "
                + "that take pipeline input.", ErrorCategory.INVALID_ARGUMENT, "InputObjectNotBound", input);
    }

    private static String propertyFor(PSObject o, ParameterSpec p) {
        if (o.has(p.name())) {
            return p.name();
        }
        return p.aliases().stream().filter(o::has).findFirst().orElse(null);
    }
}
