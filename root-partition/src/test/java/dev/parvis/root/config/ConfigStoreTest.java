package dev.parvis.root.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigStoreTest {
    @TempDir
    Path data;

    private ConfigStore store() {
        return new ConfigStore(data);
    }

    static VmConfig fullConfig() {
        return new VmConfig(UUID.fromString("6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"), "web01 – ünïcode", 1, 4, 512,
                "/images/vmbus-echo.elf",
                List.of(new DeviceConfig.EchoDevice(),
                        new DeviceConfig.IntegrationServices(true, false, true, false, true),
                        new DeviceConfig.Disk("/disks/web01.img"),
                        new DeviceConfig.NetworkAdapter("External")),
                "line one\nline \"two\"", AutomaticStartAction.START_IF_RUNNING, AutomaticStopAction.SHUT_DOWN,
                new CpuControls(250, 10, 80));
    }

    private Path writeRaw(UUID id, byte[] bytes) throws IOException {
        Path dir = data.resolve("vms").resolve(id.toString());
        Files.createDirectories(dir);
        return Files.write(dir.resolve("vm.json"), bytes);
    }

    private static String validJson(VmConfig config) {
        return new String(ConfigJson.write(config), StandardCharsets.UTF_8);
    }

    @Test
    void aDiskEntryNeedsOnlyItsPathTheRestTakesHyperVDefaults() throws IOException {
        VmConfig config = fullConfig();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode tree = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(validJson(config));
        com.fasterxml.jackson.databind.node.ObjectNode disk = (com.fasterxml.jackson.databind.node.ObjectNode) tree.get("devices").get(2);
        disk.remove(List.of("controller", "lun", "readOnly"));
        com.fasterxml.jackson.databind.node.ObjectNode second = disk.deepCopy().put("path", "/disks/data.img").put("controller", 2);
        ((com.fasterxml.jackson.databind.node.ArrayNode) tree.get("devices")).add(second);
        writeRaw(config.id(), json.writeValueAsBytes(tree));

        VmConfig loaded = assertInstanceOf(ConfigLoad.Loaded.class, store().load(config.id())).config();
        assertEquals(new DeviceConfig.Disk("/disks/web01.img", 0, DeviceConfig.Disk.NEXT_FREE_LUN, false), loaded.devices().get(2),
                "controller 0, the next free LUN, writable");
        assertEquals(new DeviceConfig.Disk("/disks/data.img", 2, DeviceConfig.Disk.NEXT_FREE_LUN, false), loaded.devices().get(4));
    }

    @Test
    void aFullConfigSurvivesSaveAndLoad() {
        VmConfig config = fullConfig();
        store().save(config);
        ConfigLoad load = new ConfigStore(data).load(config.id());
        assertEquals(new ConfigLoad.Loaded(config, data.resolve("vms/" + config.id() + "/vm.json")), load);
    }

    @Test
    void aDefaultConfigSurvivesSaveAndLoad() {
        VmConfig config = VmConfig.create("hello", "hello.elf");
        store().save(config);
        assertEquals(config, ((ConfigLoad.Loaded) store().load(config.id())).config());
    }

    @Test
    void theFileIsPrettyUtf8JsonWithVersionFirstAndATrailingNewline() throws IOException {
        VmConfig config = fullConfig();
        store().save(config);
        String json = Files.readString(store().configPath(config.id()), StandardCharsets.UTF_8);
        assertTrue(json.startsWith("{\n  \"configVersion\": 1,\n  \"id\": \"" + config.id() + "\",\n"), json);
        assertTrue(json.endsWith("}\n"), json);
        assertTrue(json.contains("\"name\": \"web01 – ünïcode\""), json);
        assertTrue(json.contains("\"type\": \"integrationServices\""), json);
        assertTrue(json.contains("\"type\": \"networkAdapter\""), json);
        assertTrue(json.contains("\"automaticStopAction\": \"SHUT_DOWN\""), json);
    }

    @Test
    void saveReplacesThePreviousConfigAndLeavesNoTemporaryFile() throws IOException {
        VmConfig config = fullConfig();
        store().save(config);
        store().save(config.withNotes("second"));
        assertEquals("second", ((ConfigLoad.Loaded) store().load(config.id())).config().notes());
        try (Stream<Path> files = Files.list(store().vmDirectory(config.id()))) {
            assertEquals(List.of("vm.json"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void unknownPropertiesOfTheCurrentVersionAreIgnored() throws IOException {
        VmConfig config = fullConfig();
        String json = validJson(config).replace("\"name\":", "\"futureField\": {\"x\": [1, 2]},\n  \"name\":");
        writeRaw(config.id(), json.getBytes(StandardCharsets.UTF_8));
        assertEquals(config, ((ConfigLoad.Loaded) store().load(config.id())).config());
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> corruptFiles() {
        String valid = validJson(fullConfig());
        byte[] garbage = new byte[256];
        new java.util.Random(42).nextBytes(garbage);
        garbage[0] = (byte) 0xFF;
        return Stream.of(
                args("truncated JSON", valid.substring(0, valid.length() / 2), "not valid JSON"),
                args("empty file", "", "empty file"),
                args("whitespace only", "  \n", "no JSON content"),
                org.junit.jupiter.params.provider.Arguments.of("garbage bytes", garbage, "not valid JSON"),
                args("a JSON array", "[1, 2]", "not a JSON object"),
                args("trailing garbage", valid + "{}", "not valid JSON"),
                args("string where a number belongs", valid.replace("\"vcpuCount\": 4", "\"vcpuCount\": \"4\""),
                        "vcpuCount"),
                args("number where a string belongs", valid.replace("\"image\": \"/images/vmbus-echo.elf\"",
                        "\"image\": 7"), "image"),
                args("number where a boolean belongs", valid.replace("\"heartbeat\": true", "\"heartbeat\": 1"),
                        "heartbeat"),
                args("string where a boolean belongs", valid.replace("\"heartbeat\": true", "\"heartbeat\": \"true\""),
                        "heartbeat"),
                args("number where an enum belongs", valid.replace("\"SHUT_DOWN\"", "2"), "automaticStopAction"),
                args("empty string where an enum belongs", valid.replace("\"SHUT_DOWN\"", "\"\""),
                        "automaticStopAction"),
                args("fraction for an integer", valid.replace("\"memoryMiB\": 512", "\"memoryMiB\": 512.5"),
                        "memoryMiB"),
                args("missing field", valid.replace("\"memoryMiB\": 512,", ""), "memoryMiB"),
                args("null field", valid.replace("\"notes\": \"line one\\nline \\\"two\\\"\"", "\"notes\": null"),
                        "notes"),
                args("missing configVersion", valid.replace("\"configVersion\": 1,", ""), "configVersion"),
                args("string configVersion", valid.replace("\"configVersion\": 1", "\"configVersion\": \"1\""),
                        "configVersion"),
                args("zero configVersion", valid.replace("\"configVersion\": 1", "\"configVersion\": 0"),
                        "configVersion"),
                args("value out of range", valid.replace("\"vcpuCount\": 4", "\"vcpuCount\": 65"), "vcpuCount"),
                args("cpu out of range", valid.replace("\"weight\": 250", "\"weight\": 0"), "weight"),
                args("unknown enum value", valid.replace("\"START_IF_RUNNING\"", "\"SOMETIMES\""),
                        "automaticStartAction"),
                args("unknown device type", valid.replace("\"type\": \"disk\"", "\"type\": \"floppy\""), "devices"),
                args("device without type", valid.replace("\"type\": \"echo\"", "\"kind\": \"echo\""), "devices"),
                args("invalid id", valid.replace("6f1c2a3b-", "zz1c2a3b-"), "id"),
                args("duplicate field", valid.replace("\"vcpuCount\": 4,", "\"vcpuCount\": 4, \"vcpuCount\": 5,"),
                        "vcpuCount"),
                args("id of another VM", valid.replace("6f1c2a3b-", "00000000-"), "does not match"),
                args("string for a disk's LUN", valid.replace("\"lun\": -1", "\"lun\": \"1\""), "lun"),
                args("null disk read-only", valid.replace("\"readOnly\": false", "\"readOnly\": null"), "readOnly"),
                args("disk without a path", valid.replace("\"path\": \"/disks/web01.img\",", ""), "path"),
                args("disk LUN out of range", valid.replace("\"lun\": -1", "\"lun\": 64"), "LUN must be 0-63"));
    }

    private static org.junit.jupiter.params.provider.Arguments args(String what, String content, String reasonPart) {
        return org.junit.jupiter.params.provider.Arguments.of(what, content.getBytes(StandardCharsets.UTF_8), reasonPart);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptFiles")
    void aCorruptFileLoadsAsCorruptIsLeftUntouchedAndIsNeverOverwritten(String what, byte[] content, String reasonPart)
            throws IOException {
        VmConfig config = fullConfig();
        Path file = writeRaw(config.id(), content);

        ConfigLoad load = store().load(config.id());
        ConfigLoad.Corrupt corrupt = assertInstanceOf(ConfigLoad.Corrupt.class, load, what);
        assertEquals(file, corrupt.file());
        assertTrue(corrupt.reason().contains(reasonPart), what + ": reason was " + corrupt.reason());
        assertEquals(List.of(load), store().loadAll());

        var refused = assertThrows(IllegalStateException.class, () -> store().save(config));
        assertTrue(refused.getMessage().contains(file.toString()), refused.getMessage());
        assertArrayEquals(content, Files.readAllBytes(file), "the file is byte-for-byte untouched");
    }

    @Test
    void aNewerVersionLoadsAsUnknownVersionIsLeftUntouchedAndIsNeverOverwritten() throws IOException {
        VmConfig config = fullConfig();
        byte[] content = ("{\"configVersion\": 99, \"id\": \"" + config.id() + "\", \"shape\": [\"new\"]}\n")
                .getBytes(StandardCharsets.UTF_8);
        Path file = writeRaw(config.id(), content);

        assertEquals(new ConfigLoad.UnknownVersion(file, 99), store().load(config.id()));
        assertEquals(List.of(new ConfigLoad.UnknownVersion(file, 99)), store().loadAll());
        var refused = assertThrows(IllegalStateException.class, () -> store().save(config));
        assertTrue(refused.getMessage().contains(file.toString()), refused.getMessage());
        assertArrayEquals(content, Files.readAllBytes(file));
    }

    @Test
    void staleTemporaryFilesAreRemovedAndNeverLoaded() throws IOException {
        VmConfig config = fullConfig();
        store().save(config);
        Path dir = store().vmDirectory(config.id());
        Path tornTemp = Files.writeString(dir.resolve("vm.json.tmp-1234"), "{\"configVersion\": 1, \"na");
        Path completeTemp = Files.write(dir.resolve("vm.json.tmp-abcd"), ConfigJson.write(config.withNotes("newer")));

        assertEquals(config, ((ConfigLoad.Loaded) store().load(config.id())).config());
        assertFalse(Files.exists(tornTemp));
        assertFalse(Files.exists(completeTemp));
    }

    @Test
    void aDirectoryWithOnlyATemporaryFileIsAnInterruptedFirstSaveAndIsRemoved() throws IOException {
        UUID id = UUID.randomUUID();
        Path dir = Files.createDirectories(data.resolve("vms").resolve(id.toString()));
        Files.write(dir.resolve("vm.json.tmp-77"), ConfigJson.write(fullConfig()));

        assertEquals(List.of(), store().loadAll());
        assertFalse(Files.exists(dir));
        assertThrows(NoSuchElementException.class, () -> store().load(id));
    }

    @Test
    void aVmDirectoryWithoutVmJsonButWithOtherFilesIsCorrupt() throws IOException {
        UUID id = UUID.randomUUID();
        Path dir = Files.createDirectories(data.resolve("vms").resolve(id.toString()));
        Files.writeString(dir.resolve("saved.state"), "state");
        ConfigLoad.Corrupt corrupt = assertInstanceOf(ConfigLoad.Corrupt.class, store().load(id));
        assertTrue(corrupt.reason().contains("missing vm.json"), corrupt.reason());
    }

    @Test
    void loadAllListsEveryVmSortedByNameWithUnreadableOnesLast() throws IOException {
        VmConfig b = VmConfig.create("beta", "i");
        VmConfig a = VmConfig.create("Alpha", "i");
        VmConfig c = VmConfig.create("charlie", "i");
        store().save(b);
        store().save(c);
        store().save(a);
        UUID brokenId = UUID.randomUUID();
        Path broken = writeRaw(brokenId, "{".getBytes(StandardCharsets.UTF_8));
        Files.createDirectories(data.resolve("vms").resolve("not-a-vm"));

        List<ConfigLoad> all = store().loadAll();
        assertEquals(4, all.size());
        assertEquals(List.of(a, b, c), all.subList(0, 3).stream().map(l -> ((ConfigLoad.Loaded) l).config()).toList());
        assertEquals(broken, assertInstanceOf(ConfigLoad.Corrupt.class, all.get(3)).file());
    }

    @Test
    void anEmptyOrMissingDataDirectoryHoldsNoVms() {
        assertEquals(List.of(), new ConfigStore(data.resolve("nowhere")).loadAll());
        assertThrows(NoSuchElementException.class, () -> store().load(UUID.randomUUID()));
    }

    @Test
    void firstSaveCreatesTheDataAndVmDirectories() {
        ConfigStore store = new ConfigStore(data.resolve("fresh/data"));
        VmConfig config = fullConfig();
        store.save(config);
        assertTrue(Files.isRegularFile(data.resolve("fresh/data/vms/" + config.id() + "/vm.json")));
        assertEquals(store.vmDirectory(config.id()).resolve("saved.state"), store.savedStatePath(config.id()));
    }

    @Test
    void deleteRemovesTheVmDirectoryWithItsSavedState() throws IOException {
        VmConfig config = fullConfig();
        store().save(config);
        Files.writeString(store().savedStatePath(config.id()), "saved");
        store().delete(config.id());
        assertFalse(Files.exists(store().vmDirectory(config.id())));
        assertEquals(List.of(), store().loadAll());
        store().delete(config.id()); // deleting again does nothing
    }

    @Test
    void deleteRemovesACorruptVm() throws IOException {
        UUID id = UUID.randomUUID();
        writeRaw(id, "garbage".getBytes(StandardCharsets.UTF_8));
        store().delete(id);
        assertFalse(Files.exists(store().vmDirectory(id)));
    }

    @Test
    void deleteLeavesFilesTheStoreDidNotCreate() throws IOException {
        VmConfig config = fullConfig();
        store().save(config);
        Path foreign = Files.writeString(store().vmDirectory(config.id()).resolve("disk.img"), "data");
        var refused = assertThrows(IllegalStateException.class, () -> store().delete(config.id()));
        assertTrue(refused.getMessage().contains("disk.img"), refused.getMessage());
        assertTrue(Files.exists(foreign));
        assertTrue(Files.exists(store().configPath(config.id())));
    }

    @Test
    void theDataDirectoryComesFromTheSystemPropertyFirst() {
        String old = System.getProperty(ConfigStore.DATA_DIR_PROPERTY);
        try {
            System.setProperty(ConfigStore.DATA_DIR_PROPERTY, "/srv/parvis");
            assertEquals(Path.of("/srv/parvis"), ConfigStore.defaultDataDirectory());
            System.clearProperty(ConfigStore.DATA_DIR_PROPERTY);
            String env = System.getenv(ConfigStore.DATA_DIR_ENV);
            Path expected = env != null && !env.isBlank() ? Path.of(env)
                    : Path.of(System.getProperty("user.home"), ".parvis");
            assertEquals(expected, ConfigStore.defaultDataDirectory());
        } finally {
            if (old == null) {
                System.clearProperty(ConfigStore.DATA_DIR_PROPERTY);
            } else {
                System.setProperty(ConfigStore.DATA_DIR_PROPERTY, old);
            }
        }
    }
}
