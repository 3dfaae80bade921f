package dev.parvis.shell.commands;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.PSObject;
import dev.parvis.shell.runtime.RuntimeError;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/** Import-Csv: reads a CSV file into objects, one per row, named by the header row; values are strings. */
public final class ImportCsv implements CommandDefinition {
    private static final CommandSpec SPEC = CommandSpec.named("Import-Csv")
            .synopsis("Reads objects from a CSV file.")
            .description("Reads the file's header row as property names and outputs one object per following row, streaming. "
                    + "A first line starting with #TYPE is skipped. Values are strings.")
            .parameter(ParameterSpec.of("Path", ParameterKind.STRING, "The file to read.").completes(ParameterSpec.COMPLETE_PATH).at(0).required())
            .parameter(ParameterSpec.of("Delimiter", ParameterKind.STRING, "The field separator (default a comma)."))
            .example("$f = [System.IO.Path]::GetTempPath() + 'import.csv'; [pscustomobject]@{Name='web1'} | Export-Csv $f; Import-Csv $f",
                    "Writes a CSV file and reads it back: an object with Name web1.")
            .outputs("System.Management.Automation.PSCustomObject")
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters p, CommandContext ctx) {
        Path path = FileText.path(p.string("Path"));
        char delimiter = CsvDelimiter.of(p);
        return (input, record, out) -> {
            try (BufferedReader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                r.mark(4096);
                String first = r.readLine();
                if (first == null || !first.startsWith("#TYPE")) {
                    r.reset();
                }
                CSVFormat format = CSVFormat.DEFAULT.builder().setDelimiter(delimiter).setHeader().setSkipHeaderRecord(true).get();
                try (CSVParser csv = CSVParser.builder().setReader(r).setFormat(format).get()) {
                    List<String> names = csv.getHeaderNames();
                    for (CSVRecord row : csv) {
                        ctx.checkpoint();
                        PSObject o = PSObject.custom();
                        for (int i = 0; i < names.size(); i++) {
                            o.add(names.get(i), i < row.size() ? row.get(i) : null);
                        }
                        out.write(o);
                    }
                }
            } catch (IOException | java.io.UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
                throw new RuntimeError("Cannot read " + path + ": " + e.getMessage(), ErrorCategory.READ_ERROR, "CsvReadError");
            }
        };
    }
}
