package dev.parvis.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** How many pages of a mapping are resident, from mincore(2): one byte per page, bit 0 set if resident. */
final class ResidentPages {
    private static final long PAGE = 4096;
    private static final MethodHandle MINCORE = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("mincore").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));

    private static final MethodHandle MALLOC_TRIM = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("malloc_trim").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));

    private ResidentPages() {
    }

    /**
     * Gives the C heap's free memory back to the OS (glibc malloc_trim(0)), so what one batch of
     * engines freed is not counted as the next batch's saving: a footprint is taken after it.
     */
    static void trimNativeHeap() {
        try {
            int released = (int) MALLOC_TRIM.invokeExact(0L);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static long count(MemorySegment mapping) {
        long pages = (mapping.byteSize() + PAGE - 1) / PAGE;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment vector = arena.allocate(pages);
            int rc = (int) MINCORE.invokeExact(mapping, mapping.byteSize(), vector);
            if (rc != 0) {
                throw new IllegalStateException("mincore over the page pool failed (" + rc + ")");
            }
            long resident = 0;
            for (long i = 0; i < pages; i++) {
                resident += vector.get(ValueLayout.JAVA_BYTE, i) & 1;
            }
            return resident;
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
