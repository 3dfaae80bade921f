package dev.parvis.hv.backend.unicorn;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The loaded libunicorn: downcall handles for the uc_* functions this backend uses.
 *
 * <p>The library is loaded once per JVM, on first use, from the system property
 * {@code parvis.unicorn.library}, else the environment variable {@code PARVIS_UNICORN_LIBRARY}, else
 * {@code libunicorn.so.2}. The handles are {@code static final} so that the JIT treats them as
 * constants on the register and run paths; a failed load is remembered and reported as
 * {@link UnicornHostException.LibraryUnavailable} on every {@link #load()}.
 */
public final class UnicornLibrary {
    private static final Logger log = LoggerFactory.getLogger(UnicornLibrary.class);

    static final Linker LINKER = Linker.nativeLinker();
    static final String LIBRARY = configuredLibrary();

    private static final Throwable LOAD_FAILURE;
    private static final String VERSION;
    private static final MethodHandle UC_VERSION, UC_OPEN, UC_CLOSE, UC_EMU_START, UC_EMU_STOP;
    private static final MethodHandle UC_REG_READ, UC_REG_WRITE;
    private static final MethodHandle UC_MEM_MAP_PTR, UC_MEM_UNMAP, UC_MEM_PROTECT, UC_MEM_READ;
    private static final MethodHandle UC_HOOK_ADD, UC_HOOK_ADD_INSN, UC_HOOK_DEL, UC_STRERROR, UC_ERRNO;
    private static final MethodHandle UC_CONTEXT_ALLOC, UC_CONTEXT_SAVE, UC_CONTEXT_RESTORE, UC_CONTEXT_SIZE, UC_CONTEXT_FREE;

    /** The address of uc_emu_stop, for the native kick hook (see UnicornKick). */
    private static final MemorySegment EMU_STOP_ADDRESS;

    static {
        MethodHandle[] h = new MethodHandle[21];
        MemorySegment emuStop = MemorySegment.NULL;
        Throwable failure = null;
        String version = null;
        try {
            SymbolLookup lookup = lookup(LIBRARY);
            bind(lookup, h);
            emuStop = lookup.find("uc_emu_stop").orElseThrow();
            version = checkVersion(h[0]);
        } catch (Throwable t) {
            failure = t;
        }
        LOAD_FAILURE = failure;
        EMU_STOP_ADDRESS = emuStop;
        VERSION = version;
        UC_VERSION = h[0]; UC_OPEN = h[1]; UC_CLOSE = h[2]; UC_EMU_START = h[3]; UC_EMU_STOP = h[4];
        UC_REG_READ = h[5]; UC_REG_WRITE = h[6]; UC_MEM_MAP_PTR = h[7]; UC_MEM_UNMAP = h[8];
        UC_MEM_PROTECT = h[9]; UC_MEM_READ = h[10]; UC_HOOK_ADD = h[11]; UC_HOOK_ADD_INSN = h[12];
        UC_HOOK_DEL = h[13]; UC_STRERROR = h[14]; UC_ERRNO = h[15];
        UC_CONTEXT_ALLOC = h[16]; UC_CONTEXT_SAVE = h[17]; UC_CONTEXT_RESTORE = h[18]; UC_CONTEXT_SIZE = h[19];
        UC_CONTEXT_FREE = h[20];
        if (failure == null) {
            log.info("libunicorn {} loaded from {}", version, LIBRARY);
        }
    }

    private static final UnicornLibrary INSTANCE = new UnicornLibrary();

    /** Initialized on the first {@link #load()}: the process opts out of huge pages before any engine exists. */
    private static final class HugePagesOff {
        static {
            CodeBufferHugePages.optOut();
        }

        static void ensure() {
            // the class's initialization is the work
        }
    }

    private UnicornLibrary() {}

    /** The loaded library, or LibraryUnavailable explaining why it cannot be used. */
    public static UnicornLibrary load() {
        if (LOAD_FAILURE != null) {
            throw new UnicornHostException.LibraryUnavailable(LIBRARY, String.valueOf(LOAD_FAILURE.getMessage()), LOAD_FAILURE);
        }
        HugePagesOff.ensure();
        return INSTANCE;
    }

    /** True when libunicorn 2.x is loadable (tests use it to skip on hosts without the library). */
    public static boolean isAvailable() {
        return LOAD_FAILURE == null;
    }

    /** "major.minor.patch" as reported by uc_version. */
    public String version() {
        return VERSION;
    }

    private static String configuredLibrary() {
        String configured = System.getProperty("parvis.unicorn.library");
        if (configured == null || configured.isBlank()) {
            configured = System.getenv("PARVIS_UNICORN_LIBRARY");
        }
        return configured == null || configured.isBlank() ? "libunicorn.so.2" : configured;
    }

    private static SymbolLookup lookup(String library) {
        // A name with a slash is a file; a bare name goes through the dynamic linker's search path.
        return library.contains("/")
                ? SymbolLookup.libraryLookup(Path.of(library), Arena.global())
                : SymbolLookup.libraryLookup(library, Arena.global());
    }

    private static void bind(SymbolLookup lib, MethodHandle[] h) {
        Linker.Option critical = Linker.Option.critical(false);
        h[0] = downcall(lib, "uc_version", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        h[1] = downcall(lib, "uc_open", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
        h[2] = downcall(lib, "uc_close", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        // Never critical: uc_emu_start runs guest code, calls upcalls and may run for a long time.
        h[3] = downcall(lib, "uc_emu_start", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG));
        h[4] = downcall(lib, "uc_emu_stop", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        // Register access is short and never calls back: critical halves its cost (notes: 12 -> 7 ns).
        h[5] = downcall(lib, "uc_reg_read", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS), critical);
        h[6] = downcall(lib, "uc_reg_write", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS), critical);
        h[7] = downcall(lib, "uc_mem_map_ptr", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS));
        h[8] = downcall(lib, "uc_mem_unmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
        h[9] = downcall(lib, "uc_mem_protect", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_INT));
        h[10] = downcall(lib, "uc_mem_read", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG));
        // uc_hook_add is variadic after its 7 fixed arguments; UC_HOOK_INSN passes the instruction id.
        FunctionDescriptor hookAdd = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG);
        h[11] = downcall(lib, "uc_hook_add", hookAdd, Linker.Option.firstVariadicArg(7));
        h[12] = downcall(lib, "uc_hook_add", hookAdd.appendArgumentLayouts(JAVA_INT), Linker.Option.firstVariadicArg(7));
        h[13] = downcall(lib, "uc_hook_del", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        h[14] = downcall(lib, "uc_strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        h[15] = downcall(lib, "uc_errno", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        h[16] = downcall(lib, "uc_context_alloc", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        h[17] = downcall(lib, "uc_context_save", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        h[18] = downcall(lib, "uc_context_restore", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        h[19] = downcall(lib, "uc_context_size", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        h[20] = downcall(lib, "uc_context_free", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    private static MethodHandle downcall(SymbolLookup lib, String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = lib.find(name).orElseThrow(() -> new IllegalStateException("missing symbol " + name));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    private static String checkVersion(MethodHandle ucVersion) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment major = arena.allocate(JAVA_INT);
            MemorySegment minor = arena.allocate(JAVA_INT);
            int packed = (int) ucVersion.invokeExact(major, minor);
            int maj = major.get(JAVA_INT, 0);
            if (maj != 2) {
                throw new IllegalStateException("libunicorn major version " + maj + ", need 2");
            }
            // 2.x packs major.minor.patch.extra into the return value's bytes.
            return "%d.%d.%d".formatted(maj, minor.get(JAVA_INT, 0), (packed >>> 8) & 0xff);
        }
    }

    // ---- calls; every handle is invoked exactly, errors are returned as uc_err codes ----

    MemorySegment open(int arch, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check("uc_open", (int) UC_OPEN.invokeExact(arch, mode, out));
            return out.get(ADDRESS, 0);
        } catch (UnicornHostException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    int close(MemorySegment uc) {
        try {
            return (int) UC_CLOSE.invokeExact(uc);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    int emuStart(MemorySegment uc, long begin, long until, long timeout, long count) {
        try {
            return (int) UC_EMU_START.invokeExact(uc, begin, until, timeout, count);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    int emuStop(MemorySegment uc) {
        try {
            return (int) UC_EMU_STOP.invokeExact(uc);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    int regRead(MemorySegment uc, int regId, MemorySegment value) {
        try {
            return (int) UC_REG_READ.invokeExact(uc, regId, value);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    int regWrite(MemorySegment uc, int regId, MemorySegment value) {
        try {
            return (int) UC_REG_WRITE.invokeExact(uc, regId, value);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    int memMapPtr(MemorySegment uc, long address, long size, int perms, MemorySegment host) {
        try {
            return (int) UC_MEM_MAP_PTR.invokeExact(uc, address, size, perms, host);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    int memUnmap(MemorySegment uc, long address, long size) {
        try {
            return (int) UC_MEM_UNMAP.invokeExact(uc, address, size);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    int memProtect(MemorySegment uc, long address, long size, int perms) {
        try {
            return (int) UC_MEM_PROTECT.invokeExact(uc, address, size, perms);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    int memRead(MemorySegment uc, long address, MemorySegment into, long size) {
        try {
            return (int) UC_MEM_READ.invokeExact(uc, address, into, size);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** uc_hook_add for every hook type except UC_HOOK_INSN; returns the uc_hook handle. */
    long hookAdd(MemorySegment uc, int type, MemorySegment callback, long begin, long end) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = arena.allocate(JAVA_LONG);
            check("uc_hook_add", (int) UC_HOOK_ADD.invokeExact(uc, handle, type, callback, MemorySegment.NULL, begin, end));
            return handle.get(JAVA_LONG, 0);
        } catch (UnicornHostException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** uc_hook_add with a user-data pointer handed to the callback. */
    long hookAdd(MemorySegment uc, int type, MemorySegment callback, MemorySegment userData, long begin, long end) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = arena.allocate(JAVA_LONG);
            check("uc_hook_add", (int) UC_HOOK_ADD.invokeExact(uc, handle, type, callback, userData, begin, end));
            return handle.get(JAVA_LONG, 0);
        } catch (UnicornHostException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    MemorySegment emuStopAddress() {
        return EMU_STOP_ADDRESS;
    }

    /** uc_hook_add(UC_HOOK_INSN, ..., instruction); returns the uc_hook handle. */
    long hookAddInstruction(MemorySegment uc, MemorySegment callback, int instruction) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = arena.allocate(JAVA_LONG);
            check("uc_hook_add(UC_HOOK_INSN " + instruction + ")", (int) UC_HOOK_ADD_INSN.invokeExact(uc, handle,
                    UnicornAbi.UC_HOOK_INSN, callback, MemorySegment.NULL, 1L, 0L, instruction));
            return handle.get(JAVA_LONG, 0);
        } catch (UnicornHostException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    int hookDel(MemorySegment uc, long hook) {
        try {
            return (int) UC_HOOK_DEL.invokeExact(uc, hook);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    int errno(MemorySegment uc) {
        try {
            return (int) UC_ERRNO.invokeExact(uc);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** A uc_context for this instance, sized to its whole opaque blob (uc_context_size). */
    MemorySegment contextAlloc(MemorySegment uc) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check("uc_context_alloc", (int) UC_CONTEXT_ALLOC.invokeExact(uc, out));
            long size = (long) UC_CONTEXT_SIZE.invokeExact(uc);
            return out.get(ADDRESS, 0).reinterpret(size);
        } catch (UnicornHostException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    void contextSave(MemorySegment uc, MemorySegment context) {
        try {
            check("uc_context_save", (int) UC_CONTEXT_SAVE.invokeExact(uc, context));
        } catch (UnicornHostException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    void contextRestore(MemorySegment uc, MemorySegment context) {
        try {
            check("uc_context_restore", (int) UC_CONTEXT_RESTORE.invokeExact(uc, context));
        } catch (UnicornHostException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    void contextFree(MemorySegment context) {
        try {
            int ignored = (int) UC_CONTEXT_FREE.invokeExact(context);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The library's text for a uc_err code. */
    String strerror(int ucErr) {
        try {
            MemorySegment text = (MemorySegment) UC_STRERROR.invokeExact(ucErr);
            return text.reinterpret(Integer.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            return "uc_err " + ucErr;
        }
    }

    /** Throws CallFailed unless {@code ucErr} is UC_ERR_OK. */
    void check(String function, int ucErr) {
        if (ucErr != UnicornAbi.UC_ERR_OK) {
            throw new UnicornHostException.CallFailed(function, ucErr, strerror(ucErr));
        }
    }
}
