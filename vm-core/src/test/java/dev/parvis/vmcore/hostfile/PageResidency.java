package dev.parvis.vmcore.hostfile;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** How many of a file's pages the page cache holds, by mincore(2) over a read-only mapping of it. */
final class PageResidency {
    private static final int PAGE = 4096;
    private static final MethodHandle MINCORE = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("mincore").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));

    private PageResidency() {
    }

    static long residentPages(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file); Arena arena = Arena.ofConfined()) {
            long size = ch.size();
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long pages = (size + PAGE - 1) / PAGE;
            MemorySegment vector = arena.allocate(pages);
            int rc = (int) MINCORE.invokeExact(mapped, size, vector);
            if (rc != 0) {
                throw new IOException("mincore(2) failed on " + file);
            }
            long resident = 0;
            for (long i = 0; i < pages; i++) {
                resident += vector.get(ValueLayout.JAVA_BYTE, i) & 1;
            }
            return resident;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
