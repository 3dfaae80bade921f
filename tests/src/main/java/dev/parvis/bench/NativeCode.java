package dev.parvis.bench;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Machine code run natively on the host processor, the baseline for guest code on KVM: the bytes
 * are copied into an executable anonymous mapping and called through java.lang.foreign as a
 * function of up to three integer arguments (SysV: RDI, RSI, RDX).
 */
final class NativeCode implements AutoCloseable {
    private static final int PROT_RWX = 7;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x22;
    private static final Linker LINKER = Linker.nativeLinker();

    private final MemorySegment code;
    private final MethodHandle function;

    NativeCode(byte[] bytes) {
        try {
            MethodHandle mmap = LINKER.downcallHandle(LINKER.defaultLookup().find("mmap").orElseThrow(),
                    FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
            MemorySegment p = (MemorySegment) mmap.invokeExact(MemorySegment.NULL, 4096L, PROT_RWX, MAP_PRIVATE_ANONYMOUS, -1, 0L);
            if (p.address() == -1L) {
                throw new IllegalStateException("mmap of executable memory failed");
            }
            code = p.reinterpret(4096);
        } catch (Throwable t) {
            throw t instanceof RuntimeException r ? r : new IllegalStateException(t);
        }
        code.copyFrom(MemorySegment.ofArray(bytes));
        function = LINKER.downcallHandle(code, FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_LONG, JAVA_LONG));
    }

    /** Nanoseconds for one call with the given arguments. */
    long time(long rdi, long rsi, long rdx) {
        long start = System.nanoTime();
        try {
            function.invokeExact(rdi, rsi, rdx);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return System.nanoTime() - start;
    }

    /** A 64-byte-aligned native buffer for store loops; lives as long as the JVM's automatic arena keeps it. */
    static MemorySegment buffer(long bytes) {
        return Arena.ofAuto().allocate(bytes, 4096);
    }

    @Override
    public void close() {
        try {
            MethodHandle munmap = LINKER.downcallHandle(LINKER.defaultLookup().find("munmap").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
            int ignored = (int) munmap.invokeExact(MemorySegment.ofAddress(code.address()), 4096L);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
