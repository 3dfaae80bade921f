package dev.parvis.hv.backend.kvm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few C library calls the KVM backend makes: open, close, ioctl, mmap and munmap, each with
 * errno captured by the linker (the JVM may run code that clobbers errno between two downcalls).
 * A failing call throws {@link KvmHostException.CallFailed} naming the call and errno, except where
 * a caller asks for the raw result (KVM_RUN returns -EINTR by design).
 */
final class Libc {
    static final int O_RDWR = 2;
    static final int O_CLOEXEC = 0x80000;
    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int MAP_SHARED = 1;
    static final int MAP_PRIVATE = 2;
    static final int MAP_ANONYMOUS = 0x20;
    static final int EINTR = 4;
    static final int EAGAIN = 11;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");
    private static final MethodHandle OPEN = downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), 2);
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle IOCTL_LONG = downcall("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), 2);
    private static final MethodHandle IOCTL_PTR = downcall("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), 2);
    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), -1);
    private static final MethodHandle MUNMAP = downcall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), -1);
    /** One capture buffer per thread: LP threads live as long as the hypervisor. */
    private static final ThreadLocal<MemorySegment> STATE = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));

    private Libc() {}

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, int firstVariadic) {
        MemorySegment symbol = LINKER.defaultLookup().find(name).orElseThrow(() -> new IllegalStateException("libc has no " + name));
        return firstVariadic < 0
                ? LINKER.downcallHandle(symbol, descriptor, CAPTURE)
                : LINKER.downcallHandle(symbol, descriptor, CAPTURE, Linker.Option.firstVariadicArg(firstVariadic));
    }

    static int open(String path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = STATE.get();
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags);
            return check(fd, "open " + path, state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(STATE.get(), fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** ioctl with an integer argument; throws on -1. */
    static int ioctl(int fd, long request, long arg, String what) {
        MemorySegment state = STATE.get();
        return check(ioctlRaw(fd, request, arg, state), what, state);
    }

    /** ioctl with a pointer argument; throws on -1. */
    static int ioctl(int fd, long request, MemorySegment arg, String what) {
        try {
            MemorySegment state = STATE.get();
            int r = (int) IOCTL_PTR.invokeExact(state, fd, request, arg);
            return check(r, what, state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** ioctl with an integer argument returning -errno instead of throwing (KVM_RUN). */
    static int ioctlErrno(int fd, long request, long arg) {
        MemorySegment state = STATE.get();
        int r = ioctlRaw(fd, request, arg, state);
        return r == -1 ? -(int) ERRNO.get(state, 0L) : r;
    }

    private static int ioctlRaw(int fd, long request, long arg, MemorySegment state) {
        try {
            return (int) IOCTL_LONG.invokeExact(state, fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A shared mapping of {@code size} bytes of {@code fd} (or anonymous memory when fd is -1). */
    static MemorySegment mmap(long size, int fd, String what) {
        try {
            MemorySegment state = STATE.get();
            int flags = fd < 0 ? MAP_PRIVATE | MAP_ANONYMOUS : MAP_SHARED;
            MemorySegment p = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, size, PROT_READ | PROT_WRITE, flags, fd, 0L);
            if (p.address() == -1L) {
                throw new KvmHostException.CallFailed(what, (int) ERRNO.get(state, 0L));
            }
            return p.reinterpret(size);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void munmap(MemorySegment mapping) {
        try {
            int ignored = (int) MUNMAP.invokeExact(STATE.get(), MemorySegment.ofAddress(mapping.address()), mapping.byteSize());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static int check(int result, String what, MemorySegment state) {
        if (result == -1) {
            throw new KvmHostException.CallFailed(what, (int) ERRNO.get(state, 0L));
        }
        return result;
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }
}
