package dev.parvis.vmcore.hostfile;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A Linux {@code O_PATH} descriptor of one file: it names the file without opening it, so taking it
 * neither waits for a FIFO's writer nor runs a device's open. {@link #status} describes the very
 * object the descriptor holds, and {@link #openForReading} opens that object (through
 * {@code /proc/self/fd}), never whatever the path names by then.
 */
final class PathHandle implements AutoCloseable {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int O_PATH = 0x200000;
    /** O_NOFOLLOW differs between architectures (asm-generic vs. arm64). */
    private static final int O_NOFOLLOW = isArm64() ? 0x8000 : 0x20000;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_TYPE = 0x1;
    private static final int STATX_SIZE = 0x200;
    private static final int STATX_CTIME = 0x80;
    private static final int STATX_INO = 0x100;
    /**
     * struct statx: 256 bytes, the same on every architecture; stx_mode u16 at 28, stx_ino u64 at 32,
     * stx_size u64 at 40, stx_ctime at 96 (i64 seconds, u32 nanoseconds), stx_dev_major/minor u32 at 136/140.
     */
    private static final long STATX_BYTES = 256;
    private static final long STX_MASK = 0;
    private static final long STX_MODE = 28;
    private static final long STX_INO = 32;
    private static final long STX_SIZE = 40;
    private static final long STX_CTIME = 96;
    private static final long STX_DEV_MAJOR = 136;
    private static final long STX_DEV_MINOR = 140;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle OPEN = downcall("open", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), Linker.Option.firstVariadicArg(2), Linker.Option.captureCallState("errno"));
    private static final MethodHandle STATX = downcall("statx", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS), Linker.Option.captureCallState("errno"));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle STRERROR = downcall("strerror", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

    /**
     * What the descriptor holds: its file type (the {@code S_IFMT} bits of the mode) and size in
     * bytes, and which file it is in which version ({@link HostFileVersion}).
     */
    record Status(FileKind kind, long size, HostFileVersion version) {}

    private final int fd;

    private PathHandle(int fd) {
        this.fd = fd;
    }

    /**
     * Takes a handle on {@code path}; with {@code followLinks} false a symbolic link is not followed
     * and the handle holds the link itself.
     */
    static PathHandle open(Path path, boolean followLinks) throws IOException {
        int flags = O_PATH | O_CLOEXEC | (followLinks ? 0 : O_NOFOLLOW);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path.toString()), flags, 0);
            if (fd < 0) {
                throw new IOException(describe((int) ERRNO.get(state, 0L)));
            }
            return new PathHandle(fd);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("open(2) through java.lang.foreign", t);
        }
    }

    Status status() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment statx = arena.allocate(STATX_BYTES, 8);
            int wanted = STATX_TYPE | STATX_SIZE | STATX_INO | STATX_CTIME;
            int rc = (int) STATX.invokeExact(state, fd, arena.allocateFrom(""), AT_EMPTY_PATH, wanted, statx);
            if (rc != 0) {
                throw new IOException("statx: " + describe((int) ERRNO.get(state, 0L)));
            }
            int mask = statx.get(ValueLayout.JAVA_INT, STX_MASK);
            if ((mask & (STATX_TYPE | STATX_SIZE)) != (STATX_TYPE | STATX_SIZE)) {
                throw new IOException("statx reported no type or size (mask 0x%x)".formatted(mask));
            }
            int mode = statx.get(ValueLayout.JAVA_SHORT, STX_MODE) & 0xFFFF;
            long size = statx.get(ValueLayout.JAVA_LONG, STX_SIZE);
            return new Status(FileKind.ofMode(mode), size, (mask & (STATX_INO | STATX_CTIME)) != (STATX_INO | STATX_CTIME)
                    ? HostFileVersion.UNKNOWN
                    : new HostFileVersion(statx.get(ValueLayout.JAVA_INT, STX_DEV_MAJOR), statx.get(ValueLayout.JAVA_INT, STX_DEV_MINOR),
                            statx.get(ValueLayout.JAVA_LONG, STX_INO), size, statx.get(ValueLayout.JAVA_LONG, STX_CTIME),
                            statx.get(ValueLayout.JAVA_INT, STX_CTIME + 8)));
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("statx(2) through java.lang.foreign", t);
        }
    }

    /** Opens the object this handle holds for reading; call it only once {@link #status} said it is a regular file. */
    FileChannel openForReading() throws IOException {
        return FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ);
    }

    /** Opens the object this handle holds for reading and writing; only once {@link #status} said it is a regular file. */
    FileChannel openForUpdate() throws IOException {
        return FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /**
     * A plain read-only descriptor of the object this handle holds (for calls NIO does not offer);
     * the caller closes it with {@link #closeDescriptor}.
     */
    int openDescriptor() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int opened = (int) OPEN.invokeExact(state, arena.allocateFrom("/proc/self/fd/" + fd), O_RDONLY | O_CLOEXEC, 0);
            if (opened < 0) {
                throw new IOException(describe((int) ERRNO.get(state, 0L)));
            }
            return opened;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("open(2) through java.lang.foreign", t);
        }
    }

    static void closeDescriptor(int descriptor) {
        try {
            int rc = (int) CLOSE.invokeExact(descriptor);
            assert rc == 0 : "close(" + descriptor + ")";
        } catch (Throwable t) {
            throw new IllegalStateException("close(2) through java.lang.foreign", t);
        }
    }

    @Override
    public void close() {
        closeDescriptor(fd);
    }

    static String describe(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(256).getString(0).toLowerCase(java.util.Locale.ROOT);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsupportedOperationException("the C library has no " + name + "() (Linux is required)"));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    private static boolean isArm64() {
        String arch = System.getProperty("os.arch");
        return arch.equals("aarch64") || arch.equals("arm64");
    }
}
