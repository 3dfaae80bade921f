package dev.parvis.vmcore.hostfile;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.opentest4j.TestAbortedException;

/**
 * Test fixture (shared with other modules' tests through vm-core's test jar): files whose pages the
 * page cache provably does not hold, for tests of reads that must not wait for the disk. A tmpfs (a
 * /tmp on some machines, CI's among them) cannot drop a file's pages, so where the preferred
 * directory cannot, the build directory is tried.
 */
public final class PageCacheFiles {
    private static final int PAGE = 4096;
    private static final int DROP_TRIES = 50;
    private static final Path FALLBACK = Path.of("target", "page-cache-test");
    private static final MethodHandle MINCORE = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("mincore").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));

    private PageCacheFiles() {
    }

    /**
     * {@code preferred} when a file written there can be dropped from the page cache, else an empty
     * directory under the build directory where one can; the test is aborted, with the directories
     * tried, when neither can.
     */
    public static Path evictableDirectory(Path preferred) throws IOException {
        List<Path> tried = new ArrayList<>();
        for (Path where : List.of(preferred, freshFallback())) {
            Path probe = where.resolve("page-cache-probe");
            try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.allocate(16 * PAGE));
                ch.force(true);
            }
            boolean dropped = dropsPages(probe);
            Files.delete(probe);
            if (dropped) {
                return where;
            }
            tried.add(where.toAbsolutePath());
        }
        throw new TestAbortedException("no file system here drops a file's pages when asked (POSIX_FADV_DONTNEED),"
                + " so no uncached range can be made; tried " + tried);
    }

    /**
     * Drops the file's clean pages from the page cache and proves it with mincore(2), asking again
     * while pages remain: a page the kernel still has in a per-CPU batch (just written or read) is
     * not dropped by the first ask. Aborts the test when pages stay for {@link #DROP_TRIES} asks.
     */
    public static void drop(Path file) throws IOException {
        long resident = -1;
        for (int i = 0; i < DROP_TRIES; i++) {
            askToDrop(file);
            resident = residentPages(file);
            if (resident == 0) {
                return;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        throw new TestAbortedException(resident + " pages of " + file + " stayed in the page cache after " + DROP_TRIES + " asks to drop them");
    }

    /** GNU dd's iflag=nocache with count=0: POSIX_FADV_DONTNEED over the whole file. */
    private static void askToDrop(Path file) throws IOException {
        try {
            Process p = new ProcessBuilder("dd", "if=" + file, "iflag=nocache", "count=0", "status=none").inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IOException("dd iflag=nocache on " + file + " exited with " + p.exitValue());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** How many of the file's pages the page cache holds: mincore(2) over a read-only mapping of it. */
    public static long residentPages(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file); Arena arena = Arena.ofConfined()) {
            long size = ch.size();
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long pages = (size + PAGE - 1) / PAGE;
            MemorySegment vector = arena.allocate(Math.max(1, pages));
            if (mincore(mapped, size, vector) != 0) {
                throw new IOException("mincore(2) failed on " + file);
            }
            long resident = 0;
            for (long i = 0; i < pages; i++) {
                resident += vector.get(ValueLayout.JAVA_BYTE, i) & 1;
            }
            return resident;
        }
    }

    private static int mincore(MemorySegment mapped, long size, MemorySegment vector) {
        try {
            return (int) MINCORE.invokeExact(mapped, size, vector);
        } catch (Throwable t) {
            throw new IllegalStateException("mincore(2) through java.lang.foreign", t);
        }
    }

    private static boolean dropsPages(Path file) throws IOException {
        for (int i = 0; i < 5; i++) {
            askToDrop(file);
            if (residentPages(file) == 0) {
                return true;
            }
        }
        return false;
    }

    /** An empty directory under the build directory; what earlier runs left there is removed first. */
    private static Path freshFallback() throws IOException {
        if (Files.exists(FALLBACK)) {
            try (Stream<Path> old = Files.walk(FALLBACK)) {
                for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return Files.createDirectories(FALLBACK);
    }
}
