package dev.parvis.wmi.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.parvis.wmi.cim.AccessDeniedException;
import dev.parvis.wmi.cim.InvalidParameterException;
import dev.parvis.wmi.cim.NotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageDirectoriesTest {
    @TempDir
    Path tmp;

    @Test
    void filesInsideAreResolvedToTheirRealPaths() throws Exception {
        Path root = tmp.resolve("storage");
        StorageDirectories dirs = new StorageDirectories(List.of(root));
        Path file = Files.writeString(root.resolve("a.bin"), "x");
        assertEquals(file.toRealPath(), dirs.existingFile(file.toString()));
        assertEquals(file.toRealPath(), dirs.existingFile("a.bin"), "relative names are under the first directory");
        Files.createDirectories(root.resolve("sub"));
        assertEquals(root.toRealPath().resolve("sub/new.vhdx"), dirs.newFile(root + "/sub/../sub/new.vhdx"));
    }

    @Test
    void namesOutsideDevicesTraversalAndEscapingLinksAreRefused() throws Exception {
        Path root = tmp.resolve("storage");
        StorageDirectories dirs = new StorageDirectories(List.of(root));
        Path outside = Files.writeString(tmp.resolve("secret"), "s");
        Files.createSymbolicLink(root.resolve("link"), outside);
        Files.createSymbolicLink(root.resolve("dirlink"), tmp);
        assertThrows(AccessDeniedException.class, () -> dirs.existingFile("/dev/zero"));
        assertThrows(AccessDeniedException.class, () -> dirs.existingFile("/etc/passwd"));
        assertThrows(AccessDeniedException.class, () -> dirs.existingFile(outside.toString()));
        assertThrows(AccessDeniedException.class, () -> dirs.existingFile("../secret"));
        assertThrows(AccessDeniedException.class, () -> dirs.existingFile(root + "/../secret"));
        assertThrows(AccessDeniedException.class, () -> dirs.existingFile("link"), "a link pointing outside");
        assertThrows(AccessDeniedException.class, () -> dirs.existingFile("dirlink/secret"));
        assertThrows(AccessDeniedException.class, () -> dirs.newFile("dirlink/new.vhdx"), "creating through a link pointing outside");
        assertThrows(AccessDeniedException.class, () -> dirs.newFile("/tmp/new.vhdx"));
        assertThrows(AccessDeniedException.class, () -> dirs.existingFile("/nonexistent/file"), "outside is refused before existence");
        assertThrows(AccessDeniedException.class, () -> dirs.existingFile(root.toString()), "the directory itself is no file");
        Files.createDirectories(root.resolve("d"));
        assertThrows(AccessDeniedException.class, () -> dirs.existingFile("d"), "a directory is no regular file");
        assertThrows(NotFoundException.class, () -> dirs.existingFile("missing.bin"));
        assertThrows(InvalidParameterException.class, () -> dirs.existingFile("a\0b"));
        assertThrows(InvalidParameterException.class, () -> dirs.existingFile(""));
        Files.writeString(root.resolve("exists"), "");
        assertThrows(InvalidParameterException.class, () -> dirs.newFile("exists"));
    }
}
