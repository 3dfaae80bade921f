package dev.parvis.root.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.root.Fifo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A vm.json, or the data directory itself, that is not what the store writes: refused clearly, never waited on. */
class ConfigStoreHostFilesTest {
    @TempDir
    Path data;

    private Path vmDirectory(UUID id) throws IOException {
        return Files.createDirectories(data.resolve("vms").resolve(id.toString()));
    }

    @Test
    void aVmJsonThatIsAFifoIsCorruptAtOnceAndLeftInPlace() throws Exception {
        VmConfig config = ConfigStoreTest.fullConfig();
        Path file = Fifo.create(vmDirectory(config.id()).resolve("vm.json"));
        ConfigStore store = new ConfigStore(data);

        List<ConfigLoad> all = assertTimeoutPreemptively(Duration.ofSeconds(10), store::loadAll);
        assertEquals(List.of(new ConfigLoad.Corrupt(file, "a FIFO, not a regular file")), all);
        IllegalStateException refused = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(IllegalStateException.class, () -> store.save(config)));
        assertTrue(refused.getMessage().contains("a FIFO"), refused.getMessage());
        assertFalse(Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS), "the FIFO is still there, not replaced");
    }

    @Test
    void aVmJsonThatIsALinkIsNotFollowed() throws IOException {
        VmConfig config = ConfigStoreTest.fullConfig();
        Path elsewhere = Files.write(data.resolve("elsewhere.json"), ConfigJson.write(config));
        Path link = Files.createSymbolicLink(vmDirectory(config.id()).resolve("vm.json"), elsewhere);
        assertEquals(new ConfigLoad.Corrupt(link, "a symbolic link, not a regular file"), new ConfigStore(data).load(config.id()));

        UUID other = UUID.randomUUID();
        Path toZero = Files.createSymbolicLink(vmDirectory(other).resolve("vm.json"), Path.of("/dev/zero"));
        assertEquals(new ConfigLoad.Corrupt(toZero, "a symbolic link, not a regular file"), new ConfigStore(data).load(other));
    }

    @Test
    void aVmJsonOverTheBoundIsCorruptWithItsSize() throws IOException {
        UUID id = UUID.randomUUID();
        Path file = Files.write(vmDirectory(id).resolve("vm.json"), new byte[ConfigStore.MAX_CONFIG_BYTES + 1]);
        ConfigLoad.Corrupt corrupt = assertInstanceOf(ConfigLoad.Corrupt.class, new ConfigStore(data).load(id));
        assertEquals(file, corrupt.file());
        assertTrue(corrupt.reason().startsWith((ConfigStore.MAX_CONFIG_BYTES + 1) + " bytes, larger than the 1048576 bytes"),
                corrupt.reason());
    }

    @Test
    void theStoreNeverWritesAConfigItWouldNotReadBack() {
        VmConfig huge = ConfigStoreTest.fullConfig().withNotes("n".repeat(ConfigStore.MAX_CONFIG_BYTES));
        ConfigStore store = new ConfigStore(data);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.save(huge));
        assertTrue(e.getMessage().contains("more than the 1048576 a vm.json may hold"), e.getMessage());
        assertFalse(Files.exists(store.configPath(huge.id())));
    }

    @Test
    void aDataDirectoryThatIsAFileIsAnErrorNotAnEmptyHost() throws IOException {
        Path file = Files.writeString(data.resolve("not-a-directory"), "x");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ConfigStore(file).loadAll());
        assertEquals("the data directory " + file + " is not a directory", e.getMessage());
    }
}
