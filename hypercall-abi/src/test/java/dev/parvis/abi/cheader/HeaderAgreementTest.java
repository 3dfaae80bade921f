package dev.parvis.abi.cheader;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Compiles a probe program against the generated header with gcc and checks that every macro
 * value and every struct size and field offset C sees equals what the Java definitions say.
 */
class HeaderAgreementTest {

    @TempDir
    Path dir;

    @Test
    void gccSeesTheSameValuesSizesAndOffsetsAsJava() throws Exception {
        assumeTrue(gccAvailable(), "gcc is not installed: the header agreement test needs it");
        Map<String, String> expected = new LinkedHashMap<>();
        expectedDefines(expected);
        expectedStructs(expected);
        expectedGuids(expected);
        assertTrue(expected.size() > 500, "suspiciously few names to check: " + expected.size());

        Files.createDirectories(dir.resolve("parvis"));
        Files.writeString(dir.resolve("parvis/hvabi.h"), CHeaderGenerator.generate());
        Files.writeString(dir.resolve("probe.c"), probeProgram(expected.keySet()));
        run(dir, "gcc", "-std=c11", "-Wall", "-Werror", "-I", dir.toString(), "probe.c", "-o", "probe");
        Map<String, String> actual = parse(run(dir, dir.resolve("probe").toString()));

        List<String> mismatches = new ArrayList<>();
        expected.forEach((name, value) -> {
            if (!value.equals(actual.get(name))) {
                mismatches.add(name + ": java " + value + ", C " + actual.get(name));
            }
        });
        assertTrue(mismatches.isEmpty(), () -> mismatches.size() + " mismatches:\n" + String.join("\n", mismatches));
        assertEquals(expected.size(), actual.size(), "probe printed a different number of lines");
    }

    @Test
    void headerCompilesFreestandingAndPedantic() throws Exception {
        assumeTrue(gccAvailable(), "gcc is not installed: the header agreement test needs it");
        Files.createDirectories(dir.resolve("parvis"));
        Files.writeString(dir.resolve("parvis/hvabi.h"), CHeaderGenerator.generate());
        Files.writeString(dir.resolve("guest.c"), "#include \"parvis/hvabi.h\"\n#include \"parvis/hvabi.h\"\n"
                + "uint64_t f(struct hv_input_post_message *m) { return m->payload_size + HVCALL_POST_MESSAGE; }\n"
                + "static const struct vmbus_guid echo = VMBUS_DEVICE_ECHO_GUID;\n"
                + "uint32_t g(struct vmbus_offer_channel *o) { struct vmbus_guid scsi = VMBUS_DEVICE_SCSI_GUID;\n"
                + "  return o->interface_type.data1 == scsi.data1 ? o->child_relid : echo.data1 + VMBUS_MSG_OFFER_CHANNEL; }\n");
        run(dir, "gcc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-ffreestanding", "-nostdlib",
                "-I", dir.toString(), "-c", "guest.c", "-o", "guest.o");
    }

    @Test
    void builtHeaderEqualsTheGeneratedOne() throws IOException {
        Path built = Path.of(System.getProperty("basedir", ".")).resolve("target/generated-include/parvis/hvabi.h");
        assumeTrue(Files.exists(built), "no build output at " + built);
        assertEquals(CHeaderGenerator.generate(), Files.readString(built, StandardCharsets.UTF_8),
                "target/generated-include/parvis/hvabi.h is stale; rebuild the module");
    }

    /** Recomputed from the Java constants by reflection, independently of CDefine. */
    private static void expectedDefines(Map<String, String> out) throws ReflectiveOperationException {
        for (HeaderCatalog.ConstantSource source : HeaderCatalog.constantSources()) {
            for (Field f : source.type().getDeclaredFields()) {
                int m = f.getModifiers();
                if (!Modifier.isPublic(m) || !Modifier.isStatic(m) || !Modifier.isFinal(m)) {
                    continue;
                }
                Object v = f.get(null);
                if (v instanceof Record r && r.getClass().getRecordComponents().length == 1) {
                    v = r.getClass().getRecordComponents()[0].getAccessor().invoke(r);
                }
                String unsigned = switch (v) {
                    case Byte b -> Integer.toString(b & 0xFF);
                    case Short s -> Integer.toString(s & 0xFFFF);
                    case Integer i -> Integer.toUnsignedString(i);
                    case Long l -> Long.toUnsignedString(l);
                    case null, default -> null;
                };
                if (unsigned != null) {
                    out.putIfAbsent(source.prefix() + f.getName(), unsigned);
                }
            }
        }
    }

    /**
     * Every byte of every GUID initializer macro as C lays out {@code struct vmbus_guid}, against the
     * wire bytes {@link dev.parvis.abi.vmbus.Guid#write} produces.
     */
    private static void expectedGuids(Map<String, String> out) throws ReflectiveOperationException {
        int count = 0;
        for (HeaderCatalog.GuidSource source : HeaderCatalog.guidSources()) {
            for (Field f : source.type().getDeclaredFields()) {
                int m = f.getModifiers();
                if (f.getType() != dev.parvis.abi.vmbus.Guid.class || !Modifier.isPublic(m) || !Modifier.isStatic(m)) {
                    continue;
                }
                byte[] wire = ((dev.parvis.abi.vmbus.Guid) f.get(null)).toBytes();
                for (int i = 0; i < wire.length; i++) {
                    out.put("guidbyte:" + source.prefix() + f.getName() + source.suffix() + ":" + i,
                            Integer.toString(wire[i] & 0xFF));
                }
                count++;
            }
        }
        assertTrue(count >= 21, "suspiciously few GUID macros: " + count);
    }

    /** Size of every struct, offset and size of every field, recursing into nested structs. */
    private static void expectedStructs(Map<String, String> out) throws ReflectiveOperationException {
        for (CStruct s : CHeaderGenerator.structs()) {
            StructLayout layout = (StructLayout) s.javaType().getField("LAYOUT").get(null);
            out.put("sizeof:" + s.name(), Long.toString(layout.byteSize()));
            fields(out, s.name(), "", layout, List.of());
        }
    }

    private static void fields(Map<String, String> out, String struct, String prefix, StructLayout layout,
                               List<MemoryLayout.PathElement> path) {
        long running = 0;
        for (MemoryLayout m : layout.memberLayouts()) {
            String name = m.name().orElse(CStruct.paddingName(running));
            List<MemoryLayout.PathElement> here = new ArrayList<>(path);
            long offset;
            if (m instanceof PaddingLayout) {
                offset = (path.isEmpty() ? 0 : outerOffset(struct, path)) + running;
            } else {
                here.add(groupElement(name));
                offset = structLayoutOf(struct).byteOffset(here.toArray(MemoryLayout.PathElement[]::new));
            }
            String key = struct + "." + prefix + name;
            out.put("offsetof:" + key, Long.toString(offset));
            out.put("sizeof:" + key, Long.toString(m.byteSize()));
            if (m instanceof StructLayout nested) {
                fields(out, struct, prefix + name + ".", nested, here);
            }
            running += m.byteSize();
        }
    }

    private static long outerOffset(String struct, List<MemoryLayout.PathElement> path) {
        return structLayoutOf(struct).byteOffset(path.toArray(MemoryLayout.PathElement[]::new));
    }

    private static StructLayout structLayoutOf(String struct) {
        return CHeaderGenerator.structs().stream().filter(s -> s.name().equals(struct)).findFirst()
                .orElseThrow().layout();
    }

    private static String probeProgram(Iterable<String> names) {
        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include \"parvis/hvabi.h\"\n"
                + "#define P(name, expr) printf(\"%s %llu\\n\", name, (unsigned long long) (expr))\n"
                + "int main(void) {\n");
        for (String name : names) {
            c.append("    P(\"").append(name).append("\", ").append(cExpression(name)).append(");\n");
        }
        return c.append("    return 0;\n}\n").toString();
    }

    private static String cExpression(String name) {
        if (name.startsWith("guidbyte:")) {
            String[] parts = name.substring(9).split(":");
            return "((const unsigned char *) &(struct vmbus_guid) " + parts[0] + ")[" + parts[1] + "]";
        }
        if (name.startsWith("offsetof:")) {
            String[] parts = name.substring(9).split("\\.", 2);
            return "offsetof(struct " + parts[0] + ", " + parts[1] + ")";
        }
        if (name.startsWith("sizeof:")) {
            String[] parts = name.substring(7).split("\\.", 2);
            return parts.length == 1 ? "sizeof(struct " + parts[0] + ")"
                    : "sizeof(((struct " + parts[0] + " *) 0)->" + parts[1] + ")";
        }
        return name;
    }

    private static Map<String, String> parse(String output) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            if (!line.isBlank()) {
                int space = line.indexOf(' ');
                values.put(line.substring(0, space), line.substring(space + 1).trim());
            }
        }
        return values;
    }

    private static boolean gccAvailable() {
        try {
            return new ProcessBuilder("gcc", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String run(Path workDir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail(String.join(" ", command) + " failed:\n" + output);
        }
        return output;
    }
}
