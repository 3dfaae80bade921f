package dev.parvis.shell.commands;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.command.PipelineInput;
import dev.parvis.shell.command.WholeInput;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.Members;
import dev.parvis.shell.runtime.PSObject;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.shell.runtime.TypeNames;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.QuoteMode;

/**
 * Export-Csv: writes the input objects to a CSV file, one row per object, the columns being the
 * first object's properties (PowerShell 7's format: a quoted header, every field quoted).
 */
public final class ExportCsv implements CommandDefinition {
    private static final CommandSpec SPEC = CommandSpec.named("Export-Csv")
            .synopsis("Writes objects to a CSV file.")
            .description("Writes one row per input object to the file, with a header row of the first object's property names. "
                    + "Every field is quoted. -IncludeTypeInformation adds a first line #TYPE with the object type; -Append adds "
                    + "rows to an existing file (without a new header).")
            .parameter(ParameterSpec.of("Path", ParameterKind.STRING, "The file to write.").completes(ParameterSpec.COMPLETE_PATH).at(0).required())
            .parameter(ParameterSpec.of("InputObject", ParameterKind.OBJECT, "The objects to write.").fromPipeline(PipelineInput.BY_VALUE))
            .parameter(ParameterSpec.of("Delimiter", ParameterKind.STRING, "The field separator (default a comma)."))
            .parameter(ParameterSpec.of("Append", ParameterKind.SWITCH, "Adds the rows to the end of the file."))
            .parameter(ParameterSpec.of("IncludeTypeInformation", ParameterKind.SWITCH, "Writes a #TYPE line first."))
            .parameter(ParameterSpec.of("NoTypeInformation", ParameterKind.SWITCH, "Writes no #TYPE line (the default)."))
            .example("[pscustomobject]@{Name='web1'; State='Running'} | Export-Csv -Path ([System.IO.Path]::GetTempPath() + 'vms.csv')",
                    "Writes \"Name\",\"State\" and \"web1\",\"Running\" to vms.csv in the temporary directory.")
            .changesState()
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters p, CommandContext ctx) {
        Path path = FileText.path(p.string("Path"));
        char delimiter = CsvDelimiter.of(p);
        return new WholeInput((rows, out) -> {
            if (rows.isEmpty() || !ctx.shouldProcess(path.toString(), "Export-Csv")) {
                return;
            }
            write(path, rows, delimiter, p.flag("Append"), p.flag("IncludeTypeInformation") && !p.flag("NoTypeInformation"));
        });
    }

    private static void write(Path path, List<Object> rows, char delimiter, boolean append, boolean typeLine) {
        List<String> header = Members.propertyNames(rows.get(0));
        boolean exists = append && Files.exists(path);
        CSVFormat format = CSVFormat.DEFAULT.builder().setDelimiter(delimiter).setQuoteMode(QuoteMode.ALL).setRecordSeparator("\n").get();
        StandardOpenOption mode = append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
        try (Writer w = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode);
             CSVPrinter csv = new CSVPrinter(w, format)) {
            if (!exists) {
                if (typeLine) {
                    Object first = rows.get(0);
                    w.write("#TYPE " + (first instanceof PSObject o ? o.typeName() : TypeNames.fullName(first)) + "\n");
                }
                csv.printRecord(header);
            }
            for (Object row : rows) {
                List<String> fields = new ArrayList<>();
                for (String h : header) {
                    Object v = Members.get(row, h);
                    fields.add(v == null ? "" : dev.parvis.shell.runtime.Conversions.toShortString(v));
                }
                csv.printRecord(fields);
            }
        } catch (IOException e) {
            throw new RuntimeError("Cannot write " + path + ": " + e.getMessage(), ErrorCategory.WRITE_ERROR, "CsvWriteError");
        }
    }
}
