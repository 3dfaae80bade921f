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
import dev.parvis.shell.runtime.Conversions;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.Members;
import dev.parvis.shell.runtime.Methods;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.shell.runtime.ScriptBlock;
import dev.parvis.shell.runtime.ShellHashtable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * ForEach-Object: runs a script block for each input object ($_), in the caller's scope, its output
 * streaming on; or takes a property's value or calls a method of each object by name.
 */
public final class ForEachObject implements CommandDefinition {
    private static final CommandSpec SPEC = CommandSpec.named("ForEach-Object")
            .synopsis("Runs a script block for each object in the pipeline.")
            .description("Runs -Process for each input object with $_ set to it, -Begin before the first and -End after the last. "
                    + "Given two or three script blocks by position they are Begin, Process (and End). Given a name instead "
                    + "(-MemberName), outputs that property of each object, or calls that method with -ArgumentList.")
            .parameter(ParameterSpec.of("Process", ParameterKind.SCRIPTBLOCK_ARRAY, "The script block(s) to run for each object.").at(0)
                    .remainingArguments())
            .parameter(ParameterSpec.of("MemberName", ParameterKind.STRING, "A property to output or a method to call.").at(0))
            .parameter(ParameterSpec.of("Begin", ParameterKind.SCRIPTBLOCK, "Runs once before the first object."))
            .parameter(ParameterSpec.of("End", ParameterKind.SCRIPTBLOCK, "Runs once after the last object."))
            .parameter(ParameterSpec.of("ArgumentList", ParameterKind.OBJECT_ARRAY, "Arguments of the method named by -MemberName."))
            .parameter(ParameterSpec.of("InputObject", ParameterKind.OBJECT, "The objects to process.").fromPipeline(PipelineInput.BY_VALUE))
            .example("1..3 | ForEach-Object { $_ * 10 }", "Outputs 10, 20 and 30.")
            .example("'a','b' | ForEach-Object ToUpper", "Calls ToUpper() on each string: A, B.")
            .example("1..4 | ForEach-Object -Begin { $sum = 0 } -Process { $sum += $_ } -End { $sum }", "Outputs 10.")
            .outputs("System.Object")
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters p, CommandContext ctx) {
        if (p.has("MemberName")) {
            String name = p.string("MemberName");
            if (name == null || name.isEmpty()) {
                throw new RuntimeError("ForEach-Object needs a script block or a member name; the member name given is empty.",
                        ErrorCategory.INVALID_ARGUMENT, "EmptyMemberName");
            }
            return member(name, p.objects("ArgumentList"), ctx);
        }
        List<ScriptBlock> blocks = new ArrayList<>();
        for (Object o : p.objects("Process")) {
            if (!(o instanceof ScriptBlock b)) {
                throw new RuntimeError("ForEach-Object -Process takes script blocks; '" + Conversions.toShortString(o) + "' is not one.",
                        ErrorCategory.INVALID_ARGUMENT, "NotAScriptBlock");
            }
            blocks.add(b);
        }
        if (blocks.size() > 3 || blocks.isEmpty() && !p.has("Begin") && !p.has("End")) {
            throw new RuntimeError("ForEach-Object takes one to three script blocks (begin, process, end).",
                    ErrorCategory.INVALID_ARGUMENT, "BadScriptBlocks");
        }
        ScriptBlock begin = blocks.size() >= 2 ? blocks.get(0) : p.scriptBlock("Begin");
        ScriptBlock process = blocks.size() == 1 ? blocks.get(0) : blocks.size() >= 2 ? blocks.get(1) : null;
        ScriptBlock end = blocks.size() == 3 ? blocks.get(2) : p.scriptBlock("End");
        return new CommandProcessor() {
            @Override
            public void begin(Pipe out) {
                if (begin != null) {
                    ctx.invokeTo(begin, null, out);
                }
            }

            @Override
            public void process(Object input, BoundParameters record, Pipe out) {
                if (process != null) {
                    ctx.invokeTo(process, record.get("InputObject"), out);
                }
            }

            @Override
            public void end(Pipe out) {
                if (end != null) {
                    ctx.invokeTo(end, null, out);
                }
            }
        };
    }

    private static CommandProcessor member(String name, List<Object> args, CommandContext ctx) {
        return (input, record, out) -> {
            Object item = record.get("InputObject");
            boolean property = args.isEmpty() && (Members.propertyNames(item).stream().anyMatch(n -> n.equalsIgnoreCase(name))
                    || item instanceof ShellHashtable h && h.containsKey(name));
            Object v = property ? Members.get(item, name) : Methods.invoke(item, name, new ArrayList<>(args), new CommandMemberContext(ctx));
            if (v instanceof Collection<?> c) {
                c.forEach(out::write);
            } else {
                out.write(v);
            }
        };
    }
}
