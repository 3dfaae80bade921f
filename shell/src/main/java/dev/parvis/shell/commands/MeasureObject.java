package dev.parvis.shell.commands;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.command.Pipe;
import dev.parvis.shell.command.PipelineInput;
import dev.parvis.shell.runtime.Arithmetic;
import dev.parvis.shell.runtime.Comparison;
import dev.parvis.shell.runtime.Conversions;
import dev.parvis.shell.runtime.PSObject;

/** Measure-Object: counts the input and, on request, the sum, average, minimum and maximum of a property. */
public final class MeasureObject implements CommandDefinition {
    public static final String MEASURE_TYPE = "Microsoft.PowerShell.Commands.GenericMeasureInfo";
    private static final CommandSpec SPEC = CommandSpec.named("Measure-Object")
            .synopsis("Counts objects and computes the sum, average, minimum and maximum of a property.")
            .description("Outputs one object with Count, and Sum, Average, Maximum and Minimum when asked for (-Sum, -Average, "
                    + "-Maximum, -Minimum, or -AllStats), of the input objects or of their -Property.")
            .parameter(ParameterSpec.of("Property", ParameterKind.STRING, "The property to measure.").at(0))
            .parameter(ParameterSpec.of("Sum", ParameterKind.SWITCH, "Adds the values."))
            .parameter(ParameterSpec.of("Average", ParameterKind.SWITCH, "Averages the values."))
            .parameter(ParameterSpec.of("Maximum", ParameterKind.SWITCH, "Finds the largest value."))
            .parameter(ParameterSpec.of("Minimum", ParameterKind.SWITCH, "Finds the smallest value."))
            .parameter(ParameterSpec.of("AllStats", ParameterKind.SWITCH, "All of the above."))
            .parameter(ParameterSpec.of("InputObject", ParameterKind.OBJECT, "The objects to measure.").fromPipeline(PipelineInput.BY_VALUE))
            .example("1..10 | Measure-Object -Sum -Average", "Count 10, Sum 55, Average 5.5.")
            .example("@([pscustomobject]@{Mem=512}, [pscustomobject]@{Mem=1024}) | Measure-Object Mem -Maximum", "Maximum 1024.")
            .outputs(MEASURE_TYPE)
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters p, CommandContext ctx) {
        String property = p.string("Property");
        boolean all = p.flag("AllStats");
        boolean sum = all || p.flag("Sum");
        boolean avg = all || p.flag("Average");
        boolean max = all || p.flag("Maximum");
        boolean min = all || p.flag("Minimum");
        return new CommandProcessor() {
            private long count;
            private Object total = 0;
            private Object largest;
            private Object smallest;

            @Override
            public void process(Object input, BoundParameters record, Pipe out) {
                Object item = record.get("InputObject");
                Object v = property == null ? item : dev.parvis.shell.runtime.Members.get(item, property);
                if (property != null && v == null) {
                    return;
                }
                count++;
                if (sum || avg) {
                    total = Arithmetic.addNumbers(Conversions.toNumber(total), Conversions.toNumber(v));
                }
                if (max && (largest == null || Comparison.sortOrder(v, largest, false) > 0)) {
                    largest = v;
                }
                if (min && (smallest == null || Comparison.sortOrder(v, smallest, false) < 0)) {
                    smallest = v;
                }
            }

            @Override
            public void end(Pipe out) {
                out.write(PSObject.of(MEASURE_TYPE, null)
                        .add("Count", count)
                        .add("Average", avg && count > 0 ? Conversions.toDouble(total) / count : null)
                        .add("Sum", sum ? total : null)
                        .add("Maximum", largest)
                        .add("Minimum", smallest)
                        .add("Property", property));
            }
        };
    }
}
