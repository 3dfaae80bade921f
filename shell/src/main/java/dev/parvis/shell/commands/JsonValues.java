package dev.parvis.shell.commands;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parvis.shell.runtime.Conversions;
import dev.parvis.shell.runtime.EnumValue;
import dev.parvis.shell.runtime.Limits;
import dev.parvis.shell.runtime.PSObject;
import dev.parvis.shell.runtime.ShellArray;
import dev.parvis.shell.runtime.ShellHashtable;
import java.io.IOException;
import java.io.StringWriter;
import java.time.LocalDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Shell values to and from JSON with Jackson: objects and hashtables become JSON objects, arrays
 * arrays; deeper than the depth limit a value is written as its text (as PowerShell does). Parsing
 * refuses documents nested deeper than {@value #MAX_PARSE_DEPTH} levels.
 */
final class JsonValues {
    static final int MAX_PARSE_DEPTH = 100;
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_PARSE_DEPTH)
                    .maxStringLength(Limits.MAX_STRING).maxNumberLength(1000).build())
            .build();
    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

    private JsonValues() {
    }

    /** Writes {@code value}; returns whether some value was cut at {@code depth}. */
    static boolean write(Object value, int depth, boolean compress, boolean enumsAsStrings, StringWriter out) throws IOException {
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            if (!compress) {
                g.setPrettyPrinter(prettyPrinter());
            }
            ValueWriter w = new ValueWriter(g, depth, enumsAsStrings);
            w.write(value, 0);
            return w.truncated;
        }
    }

    /** Two-space indents and "name": value, as PowerShell 7 lays JSON out. */
    private static DefaultPrettyPrinter prettyPrinter() {
        return new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));
    }

    /** Writes one value tree to a generator, containers deeper than {@code depth} as their text. */
    private static final class ValueWriter {
        private final JsonGenerator g;
        private final int depth;
        private final boolean enumsAsStrings;
        private boolean truncated;

        ValueWriter(JsonGenerator g, int depth, boolean enumsAsStrings) {
            this.g = g;
            this.depth = depth;
            this.enumsAsStrings = enumsAsStrings;
        }

        void write(Object v, int level) throws IOException {
            if ((v instanceof Collection<?> || v instanceof ShellHashtable || v instanceof PSObject) && level > depth) {
                truncated = true;
                g.writeString(Conversions.toDisplayString(v));
                return;
            }
            switch (v) {
                case null -> g.writeNull();
                case Boolean b -> g.writeBoolean(b);
                case Integer i -> g.writeNumber(i);
                case Long l -> g.writeNumber(l);
                case Double d when d.isNaN() || d.isInfinite() -> g.writeString(Conversions.formatDouble(d));
                case Double d -> g.writeNumber(d);
                case EnumValue e -> writeEnum(e);
                case LocalDateTime t -> g.writeString(t.toString());
                case Collection<?> c -> writeArray(c, level);
                case ShellHashtable h -> writeObject(h.entries(), level);
                case PSObject o -> writeObject(o.entries(), level);
                default -> g.writeString(Conversions.toShortString(v));
            }
        }

        private void writeEnum(EnumValue e) throws IOException {
            if (enumsAsStrings) {
                g.writeString(e.name());
            } else {
                g.writeNumber(e.value());
            }
        }

        private void writeArray(Collection<?> c, int level) throws IOException {
            g.writeStartArray();
            for (Object o : c) {
                write(o, level + 1);
            }
            g.writeEndArray();
        }

        /** A hashtable's or an object's entries as one JSON object (property names are strings already). */
        private void writeObject(List<? extends Map.Entry<?, Object>> entries, int level) throws IOException {
            g.writeStartObject();
            for (Map.Entry<?, Object> e : entries) {
                g.writeFieldName(Conversions.toShortString(e.getKey()));
                write(e.getValue(), level + 1);
            }
            g.writeEndObject();
        }
    }

    static JsonNode parse(String text) throws IOException {
        return MAPPER.readTree(text);
    }

    /** A parsed JSON value as shell values: objects as PSCustomObjects (or hashtables), numbers as Int32/Int64/Double. */
    static Object toValue(JsonNode n, boolean asHashtable) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isInt()) {
            return n.intValue();
        }
        if (n.isIntegralNumber()) {
            return n.canConvertToLong() ? (Object) n.longValue() : (Object) n.doubleValue();
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isArray()) {
            ShellArray a = new ShellArray();
            n.forEach(e -> a.add(toValue(e, asHashtable)));
            return a;
        }
        if (asHashtable) {
            ShellHashtable h = new ShellHashtable();
            n.properties().forEach(e -> h.put(e.getKey(), toValue(e.getValue(), true)));
            return h;
        }
        PSObject o = PSObject.custom();
        n.properties().forEach(e -> o.add(e.getKey(), toValue(e.getValue(), false)));
        return o;
    }
}
