package dev.parvis.vmcore.hostfile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostFileTest {
    @TempDir
    Path dir;

    @Test
    void aRegularFileWithinTheBoundIsReadWhole() throws IOException {
        byte[] content = new byte[200_000];
        new java.util.Random(7).nextBytes(content);
        Path file = Files.write(dir.resolve("image"), content);
        assertArrayEquals(content, HostFile.read(file, content.length, HostFile.Links.REFUSE));
        assertArrayEquals(new byte[0], HostFile.read(Files.write(dir.resolve("empty"), new byte[0]), 10, HostFile.Links.REFUSE));
    }

    @Test
    void aFileOverTheBoundIsRefusedWithItsSizeAndTheBound() throws IOException {
        Path file = Files.write(dir.resolve("big"), new byte[4097]);
        HostFileException e = assertThrows(HostFileException.class, () -> HostFile.read(file, 4096, HostFile.Links.FOLLOW));
        assertEquals(file, e.path());
        assertTrue(e.problem().contains("4097 bytes") && e.problem().contains("4096 bytes"), e.getMessage());
    }

    @Test
    void aFifoIsRefusedWithoutWaitingForAWriter() throws Exception {
        Path pipe = Fifo.create(dir.resolve("pipe"));
        HostFileException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(HostFileException.class, () -> HostFile.read(pipe, 1 << 20, HostFile.Links.FOLLOW)));
        assertEquals("a FIFO, not a regular file", e.problem());
    }

    @Test
    void aDeviceIsRefusedBeforeAnyByteIsRead() {
        Path zero = Path.of("/dev/zero");
        HostFileException e = assertThrows(HostFileException.class, () -> HostFile.read(zero, 1 << 20, HostFile.Links.FOLLOW));
        assertEquals("a character device, not a regular file", e.problem());
    }

    @Test
    void aLinkToADeviceOrAFifoIsRefusedAsWhatItReaches() throws Exception {
        Path toZero = Files.createSymbolicLink(dir.resolve("zero-link"), Path.of("/dev/zero"));
        Path toPipe = Files.createSymbolicLink(dir.resolve("pipe-link"), Fifo.create(dir.resolve("pipe")));
        assertEquals("a character device, not a regular file",
                assertThrows(HostFileException.class, () -> HostFile.read(toZero, 100, HostFile.Links.FOLLOW)).problem());
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertEquals("a FIFO, not a regular file",
                assertThrows(HostFileException.class, () -> HostFile.read(toPipe, 100, HostFile.Links.FOLLOW)).problem()));
    }

    @Test
    void aLinkIsFollowedOnlyWhenTheCallerAllowsIt() throws IOException {
        Path target = Files.write(dir.resolve("target"), new byte[] {1, 2, 3});
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        assertArrayEquals(new byte[] {1, 2, 3}, HostFile.read(link, 3, HostFile.Links.FOLLOW));
        assertEquals("a symbolic link, not a regular file",
                assertThrows(HostFileException.class, () -> HostFile.read(link, 3, HostFile.Links.REFUSE)).problem());
    }

    @Test
    void aDirectoryOrAMissingFileIsAClearError() {
        assertEquals("a directory, not a regular file",
                assertThrows(HostFileException.class, () -> HostFile.read(dir, 100, HostFile.Links.FOLLOW)).problem());
        HostFileException missing = assertThrows(HostFileException.class,
                () -> HostFile.read(dir.resolve("nothing"), 100, HostFile.Links.FOLLOW));
        assertTrue(missing.problem().contains("no such file"), missing.getMessage());
    }
}
