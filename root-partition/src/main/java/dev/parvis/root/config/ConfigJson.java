package dev.parvis.root.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.cfg.MutableCoercionConfig;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The {@code vm.json} format: pretty-printed UTF-8 JSON with a trailing newline, {@code configVersion}
 * first. Reading is strict about types, nulls and missing fields, and ignores unknown properties (a
 * later build of the same version may add some).
 */
final class ConfigJson {
    static final String VERSION_PROPERTY = "configVersion";

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .withCoercionConfig(LogicalType.Textual, fail(CoercionInputShape.Integer, CoercionInputShape.Float,
                    CoercionInputShape.Boolean))
            .withCoercionConfig(LogicalType.Integer, fail(CoercionInputShape.String, CoercionInputShape.Float,
                    CoercionInputShape.Boolean, CoercionInputShape.EmptyString))
            .withCoercionConfig(LogicalType.Boolean, fail(CoercionInputShape.String, CoercionInputShape.Integer,
                    CoercionInputShape.Float, CoercionInputShape.EmptyString))
            .withCoercionConfig(LogicalType.Enum, fail(CoercionInputShape.Integer, CoercionInputShape.Float,
                    CoercionInputShape.Boolean, CoercionInputShape.EmptyString))
            .build();

    private static final ObjectWriter WRITER;
    private static final ObjectReader READER = MAPPER.readerFor(VmConfig.class);

    static {
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER));
        printer.indentObjectsWith(indenter);
        printer.indentArraysWith(indenter);
        WRITER = MAPPER.writerFor(VmConfig.class).with(printer);
    }

    private ConfigJson() {
    }

    /** Reading a value of these shapes into the configured type is an error, not a conversion. */
    private static Consumer<MutableCoercionConfig> fail(CoercionInputShape... shapes) {
        return config -> {
            for (CoercionInputShape shape : shapes) {
                config.setCoercion(shape, CoercionAction.Fail);
            }
            config.setAcceptBlankAsEmpty(false);
        };
    }

    /** The file's bytes for {@code config}. */
    static byte[] write(VmConfig config) {
        try {
            return (WRITER.writeValueAsString(config) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write the configuration of VM " + config.id(), e);
        }
    }

    /** Reads the contents of {@code file}; never throws for bad content. */
    static ConfigLoad read(byte[] bytes, Path file) {
        if (bytes.length == 0) {
            return new ConfigLoad.Corrupt(file, "empty file");
        }
        JsonNode tree;
        try {
            tree = MAPPER.readTree(bytes);
        } catch (IOException e) {
            return new ConfigLoad.Corrupt(file, "not valid JSON: " + describe(e));
        }
        if (tree == null || tree.isMissingNode()) {
            return new ConfigLoad.Corrupt(file, "no JSON content");
        }
        if (!tree.isObject()) {
            return new ConfigLoad.Corrupt(file, "not a JSON object but " + tree.getNodeType().name().toLowerCase());
        }
        JsonNode version = tree.get(VERSION_PROPERTY);
        if (version == null || version.isNull()) {
            return new ConfigLoad.Corrupt(file, "missing field '" + VERSION_PROPERTY + "'");
        }
        if (!version.isIntegralNumber() || !version.canConvertToInt()) {
            return new ConfigLoad.Corrupt(file, "field '" + VERSION_PROPERTY + "' is not an integer: " + version);
        }
        int v = version.intValue();
        if (v > VmConfig.CURRENT_VERSION) {
            return new ConfigLoad.UnknownVersion(file, v);
        }
        if (v < 1) {
            return new ConfigLoad.Corrupt(file, "field '" + VERSION_PROPERTY + "' is not a version: " + v);
        }
        try {
            return new ConfigLoad.Loaded(READER.readValue(tree), file);
        } catch (IOException | IllegalArgumentException e) {
            return new ConfigLoad.Corrupt(file, describe(e));
        }
    }

    /** A short reason naming the field, without Jackson's class names and source excerpts. */
    private static String describe(Exception e) {
        String message;
        if (e instanceof ValueInstantiationException vie && vie.getCause() != null) {
            message = vie.getCause().getMessage();
        } else if (e instanceof JsonProcessingException jpe) {
            message = jpe.getOriginalMessage();
        } else {
            message = e.getMessage();
        }
        if (message == null) {
            message = e.getClass().getSimpleName();
        }
        message = message.replace("dev.parvis.root.config.", "").lines().findFirst().orElse("");
        int sourceNote = message.indexOf(" (start marker at");
        if (sourceNote >= 0) {
            message = message.substring(0, sourceNote);
        }
        if (e instanceof JsonMappingException jme) {
            return jme.getPath().isEmpty() ? message : "field '" + path(jme) + "': " + message;
        }
        if (e instanceof JsonProcessingException jpe && jpe.getLocation() != null) {
            JsonLocation at = jpe.getLocation();
            return message + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
        }
        return message;
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }
}
