package dev.parvis.vmcore.hostfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A parsed host file is reused only while the path still holds the same file in the same version,
 * and never past HostFile's checks: a file changed in place, one renamed over the path, one changed
 * just before the read, and a path swapped for a FIFO are each seen as they are now.
 */
class ParsedHostFilesTest {
    /** A clock far enough ahead that every file in the test is settled. */
    private static final LongSupplier LATER = () -> System.currentTimeMillis() + 60_000;

    @TempDir
    Path dir;

    private final AtomicInteger parses = new AtomicInteger();

    private ParsedHostFiles<String> files(LongSupplier clock) {
        return new ParsedHostFiles<>(1 << 20, HostFile.Links.FOLLOW, bytes -> {
            parses.incrementAndGet();
            String text = new String(bytes, StandardCharsets.UTF_8);
            if (text.startsWith("bad")) {
                throw new IllegalArgumentException("unparsable");
            }
            return text;
        }, 4, 1 << 20, clock);
    }

    @Test
    void anUnchangedFileIsParsedOnce() throws IOException {
        Path file = Files.writeString(dir.resolve("image"), "one");
        ParsedHostFiles<String> files = files(LATER);
        String first = files.read(file);
        assertSame(first, files.read(file));
        assertEquals(1, parses.get());
    }

    @Test
    void aFileRewrittenInPlaceIsParsedAgain() throws Exception {
        Path file = Files.writeString(dir.resolve("image"), "one");
        ParsedHostFiles<String> files = files(LATER);
        assertEquals("one", files.read(file));
        rewriteUntilItsCtimeMoves(file, "two"); // same size, same inode: only the version tells
        assertEquals("two", files.read(file));
        assertEquals(2, parses.get());
    }

    @Test
    void aFileRenamedOverThePathIsReadAgain() throws IOException {
        Path file = Files.writeString(dir.resolve("image"), "one");
        ParsedHostFiles<String> files = files(LATER);
        assertEquals("one", files.read(file));
        Files.move(Files.writeString(dir.resolve("other"), "two"), file, StandardCopyOption.REPLACE_EXISTING);
        assertEquals("two", files.read(file));
    }

    @Test
    void aFileChangedJustBeforeTheReadIsNotKept() throws IOException {
        Path file = Files.writeString(dir.resolve("image"), "one");
        ParsedHostFiles<String> files = files(System::currentTimeMillis);
        files.read(file);
        files.read(file);
        assertEquals(2, parses.get(), "a change within the clock's tick of the read could hide behind an unchanged version");
    }

    @Test
    void aPathSwappedForAFifoIsRefusedAfterItsFileWasKept() throws Exception {
        Path file = Files.writeString(dir.resolve("image"), "one");
        ParsedHostFiles<String> files = files(LATER);
        files.read(file);
        Files.delete(file);
        Fifo.create(file);
        HostFileException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(HostFileException.class, () -> files.read(file)));
        assertEquals("a FIFO, not a regular file", e.problem());
    }

    @Test
    void aFileTheParserRefusesIsRefusedEveryTime() throws IOException {
        Path file = Files.writeString(dir.resolve("image"), "bad");
        ParsedHostFiles<String> files = files(LATER);
        assertThrows(IllegalArgumentException.class, () -> files.read(file));
        assertThrows(IllegalArgumentException.class, () -> files.read(file));
        assertEquals(2, parses.get());
    }

    /** ctime has the kernel's coarse tick: a rewrite in the same tick as the first write would look unchanged. */
    private static void rewriteUntilItsCtimeMoves(Path file, String content) throws Exception {
        Object before = Files.getAttribute(file, "unix:ctime");
        do {
            Thread.sleep(5);
            Files.writeString(file, content);
        } while (Files.getAttribute(file, "unix:ctime").equals(before));
    }
}
