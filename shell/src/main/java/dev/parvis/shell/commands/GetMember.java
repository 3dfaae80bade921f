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
import dev.parvis.shell.runtime.Members;
import dev.parvis.shell.runtime.Methods;
import dev.parvis.shell.runtime.PSObject;
import dev.parvis.shell.runtime.TypeNames;
import dev.parvis.shell.runtime.Wildcard;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Get-Member: the properties and methods of the input objects, once per distinct type. */
public final class GetMember implements CommandDefinition {
    public static final String MEMBER_TYPE = "Microsoft.PowerShell.Commands.MemberDefinition";
    private static final CommandSpec SPEC = CommandSpec.named("Get-Member")
            .synopsis("Shows the properties and methods of objects.")
            .description("For each distinct type among the input objects, outputs one MemberDefinition per property and "
                    + "method: TypeName, Name, MemberType, Definition. -MemberType Property or Method narrows it; -Name takes wildcards.")
            .parameter(ParameterSpec.of("Name", ParameterKind.STRING_ARRAY, "Member names or wildcard patterns.").at(0))
            .parameter(ParameterSpec.of("MemberType", ParameterKind.CHOICE, "Only properties or only methods.").choices("Property", "Method", "All"))
            .parameter(ParameterSpec.of("InputObject", ParameterKind.OBJECT, "The objects to inspect.").fromPipeline(PipelineInput.BY_VALUE))
            .example("'text' | Get-Member", "The members of a string: Length, ToUpper(), Split(), ...")
            .example("[pscustomobject]@{Name='web1'; State='Running'} | Get-Member -MemberType Property", "Name and State.")
            .outputs(MEMBER_TYPE)
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters p, CommandContext ctx) {
        List<String> names = p.strings("Name");
        String kind = p.string("MemberType", "All");
        Set<String> seen = new HashSet<>();
        return (input, record, out) -> {
            Object o = record.get("InputObject");
            String type = TypeNames.fullName(o);
            if (!seen.add(type)) {
                return;
            }
            if (!kind.equals("Method")) {
                for (String prop : Members.propertyNames(o)) {
                    Object v = Members.get(o, prop);
                    String memberType = o instanceof PSObject ? "NoteProperty" : "Property";
                    emit(out, names, type, prop, memberType, TypeNames.shortName(v).toLowerCase(java.util.Locale.ROOT) + " " + prop
                            + (o instanceof PSObject ? "=" + abbreviate(dev.parvis.shell.runtime.Conversions.toShortString(v)) : " {get;}"));
                }
            }
            if (!kind.equals("Property")) {
                for (String m : Methods.namesFor(o)) {
                    emit(out, names, type, m, "Method", m + "()");
                }
            }
        };
    }

    private static void emit(Pipe out, List<String> names, String type, String name, String memberType, String definition) {
        if (names.isEmpty() || names.stream().anyMatch(n -> Wildcard.matches(n, name, false))) {
            out.write(PSObject.of(MEMBER_TYPE, name).add("TypeName", type).add("Name", name).add("MemberType", memberType)
                    .add("Definition", definition));
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 37) + "..." : s;
    }
}
