package dev.parvis.shell.commands;

import dev.parvis.shell.command.CommandTable;
import dev.parvis.shell.format.Column;
import dev.parvis.shell.format.FormatViews;
import dev.parvis.shell.format.TableView;
import dev.parvis.shell.runtime.Members;
import java.util.List;

/** The general-purpose commands, their usual aliases, and the table views of their output types. */
public final class UtilityCommands {
    private UtilityCommands() {
    }

    public static CommandTable register(CommandTable t) {
        t.add(new WriteOutput()).add(new WriteHost()).add(new WriteError()).add(new WriteWarning())
                .add(new WhereObject()).add(new ForEachObject()).add(new SelectObject()).add(new SortObject())
                .add(new GroupObject()).add(new MeasureObject()).add(new FormatTable()).add(new FormatList())
                .add(new OutString()).add(new OutNull()).add(new OutFile()).add(new ConvertToJson()).add(new ConvertFromJson())
                .add(new ExportCsv()).add(new ImportCsv()).add(new GetHelp()).add(new GetCommand()).add(new GetMember())
                .add(new GetDate()).add(new StartSleep()).add(new GetContent()).add(new TestPath());
        t.alias("echo", "Write-Output").alias("write", "Write-Output")
                .alias("?", "Where-Object").alias("where", "Where-Object")
                .alias("%", "ForEach-Object").alias("foreach", "ForEach-Object")
                .alias("select", "Select-Object").alias("sort", "Sort-Object").alias("group", "Group-Object")
                .alias("measure", "Measure-Object").alias("ft", "Format-Table").alias("fl", "Format-List")
                .alias("gm", "Get-Member").alias("gcm", "Get-Command").alias("help", "Get-Help").alias("man", "Get-Help")
                .alias("sleep", "Start-Sleep").alias("gc", "Get-Content").alias("cat", "Get-Content")
                .alias("epcsv", "Export-Csv").alias("ipcsv", "Import-Csv");
        return t;
    }

    /** Table views for the objects these commands output. */
    public static void registerViews(FormatViews views) {
        views.register(new TableView(GroupObject.GROUP_TYPE, List.of(Column.property("Count"), Column.property("Name"), Column.property("Group"))));
        views.register(new TableView(GetCommand.COMMAND_INFO_TYPE,
                List.of(Column.property("CommandType"), Column.property("Name"), Column.property("Version"), Column.property("Source"))));
        views.register(new TableView(GetMember.MEMBER_TYPE,
                List.of(Column.property("Name"), Column.property("MemberType"), Column.property("Definition")),
                "TypeName", o -> Members.get(o, "TypeName")));
        views.register(new TableView(GetHelp.HELP_INFO_TYPE,
                List.of(Column.property("Name"), Column.property("Category"), Column.property("Synopsis"))));
    }
}
