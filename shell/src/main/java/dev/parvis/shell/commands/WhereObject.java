package dev.parvis.shell.commands;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.command.PipelineInput;
import dev.parvis.shell.runtime.Conversions;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.Members;
import dev.parvis.shell.runtime.Operators;
import dev.parvis.shell.runtime.OperatorContext;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.shell.runtime.ScriptBlock;
import dev.parvis.shell.runtime.ShellHashtable;
import dev.parvis.shell.syntax.BinaryOperator;
import java.util.ArrayList;
import java.util.List;

/**
 * Where-Object: passes on the objects for which a script block is true, or (simplified syntax)
 * whose property compares true: {@code Where-Object State -eq Running}.
 */
public final class WhereObject implements CommandDefinition {
    private static final List<String> OPERATORS = List.of("EQ", "NE", "GT", "GE", "LT", "LE", "Like", "NotLike", "Match",
            "NotMatch", "Contains", "NotContains", "In", "NotIn", "CEQ", "CNE", "CLike", "CMatch");
    private static final CommandSpec SPEC = buildSpec();

    private static CommandSpec buildSpec() {
        CommandSpec.Builder b = CommandSpec.named("Where-Object")
                .synopsis("Selects objects from the pipeline by a condition.")
                .description("Passes on each input object for which the script block returns true ($_ is the object), or, in the "
                        + "simplified form, whose property compares true with the value: Where-Object State -eq Running. With only "
                        + "a property name, passes objects whose property is true.")
                .parameter(ParameterSpec.of("FilterScript", ParameterKind.SCRIPTBLOCK, "The condition; $_ is the current object.").at(0))
                .parameter(ParameterSpec.of("Property", ParameterKind.STRING, "The property to compare (simplified syntax).").at(0))
                .parameter(ParameterSpec.of("Value", ParameterKind.OBJECT, "The value to compare the property with.").at(1))
                .parameter(ParameterSpec.of("InputObject", ParameterKind.OBJECT, "The objects to filter.").fromPipeline(PipelineInput.BY_VALUE));
        for (String op : OPERATORS) {
            b.parameter(ParameterSpec.of(op, ParameterKind.SWITCH, "Compares with -" + op.toLowerCase(java.util.Locale.ROOT) + "."));
        }
        return b.example("1..10 | Where-Object { $_ % 2 -eq 0 }", "Passes the even numbers 2, 4, 6, 8, 10.")
                .example("@([pscustomobject]@{Name='a'; State='Running'}, [pscustomobject]@{Name='b'; State='Off'}) | Where-Object State -eq Running",
                        "Simplified syntax: passes the object whose State is Running.")
                .example("'web1','db1','web2' | Where-Object { $_ -like 'web*' }", "Passes web1 and web2.")
                .outputs("System.Object")
                .build();
    }

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters p, CommandContext ctx) {
        ScriptBlock filter = p.scriptBlock("FilterScript");
        if (filter != null) {
            return (input, record, out) -> {
                Object item = record.get("InputObject");
                if (Conversions.toBool(PropertySelector.scalar(ctx.invoke(filter, item, List.of())))) {
                    out.write(item);
                }
            };
        }
        String property = p.string("Property");
        if (property == null) {
            throw new RuntimeError("Where-Object needs a script block or a property name.", ErrorCategory.INVALID_ARGUMENT, "NoCondition");
        }
        BinaryOperator op = comparison(p);
        Object value = p.get("Value");
        OperatorContext oc = operatorContext(ctx);
        return (input, record, out) -> {
            Object item = record.get("InputObject");
            Object actual = Members.get(item, property);
            boolean pass = op == null ? Conversions.toBool(actual) : Conversions.toBool(Operators.binary(op, actual, value, oc));
            if (pass) {
                out.write(item);
            }
        };
    }

    /** The simplified syntax's operator switch (-EQ, -Like, ...): at most one; null for a bare property test. */
    private static BinaryOperator comparison(BoundParameters p) {
        List<String> ops = new ArrayList<>();
        for (String op : OPERATORS) {
            if (p.flag(op)) {
                ops.add(op);
            }
        }
        if (ops.size() > 1) {
            throw new RuntimeError("Where-Object takes one comparison operator, not " + String.join(", ", ops) + ".",
                    ErrorCategory.INVALID_ARGUMENT, "TooManyOperators");
        }
        if (ops.isEmpty() && p.has("Value")) {
            throw new RuntimeError("Where-Object has a value to compare with but no operator (-EQ, -Like, ...).",
                    ErrorCategory.INVALID_ARGUMENT, "NoOperator");
        }
        return ops.isEmpty() ? null : BinaryOperator.fromDashName(ops.get(0));
    }

    private static OperatorContext operatorContext(CommandContext ctx) {
        return new OperatorContext() {
            @Override
            public void checkpoint() {
                ctx.checkpoint();
            }

            @Override
            public void setMatches(ShellHashtable matches) {
                // simplified syntax does not set $Matches
            }
        };
    }
}
