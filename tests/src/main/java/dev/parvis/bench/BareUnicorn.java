package dev.parvis.bench;

import dev.parvis.hv.backend.X64Register;
import dev.parvis.hv.backend.unicorn.UnicornLibrary;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A raw unicorn instance for baselines: one 64-bit engine, one code page, nothing else. It calls
 * libunicorn through the backend's own binding ({@link UnicornLibrary}: the same library, the same
 * downcall handles and options, critical register access included), reached through a private
 * lookup because the binding's calls and UnicornAbi's constants are package-private in hv-kernel.
 * Same JVM, same library, no copy of the binding layer.
 */
final class BareUnicorn implements AutoCloseable {
    static final long CODE_PAGE = 0x1000;
    private static final long PAGE = 4096;

    private static final MethodHandle OPEN, CLOSE, EMU_START, REG_READ, REG_WRITE, MEM_MAP_PTR, HOOK_ADD;
    static final int UC_ARCH_X86, UC_MODE_64, UC_ERR_OK, UC_ERR_INSN_INVALID, UC_HOOK_INSN_INVALID;
    static final int UC_PROT_ALL, UC_PROT_READ_EXEC, REG_RIP, UC_HOOK_MEM_INVALID, UC_HOOK_MEM_READ, UC_HOOK_MEM_WRITE;
    /** UnicornTraps.RIP_SYNC_RANGE: the page of the backend's do-nothing memory hook. */
    static final long RIP_SYNC_RANGE;
    static final int REG_RAX, REG_RBX, REG_RCX, REG_RDX, REG_R8, REG_RBP, REG_RSP;

    static {
        try {
            MethodHandles.Lookup lib = MethodHandles.privateLookupIn(UnicornLibrary.class, MethodHandles.lookup());
            Class<?> abiClass = Class.forName("dev.parvis.hv.backend.unicorn.UnicornAbi");
            MethodHandles.Lookup abi = MethodHandles.privateLookupIn(abiClass, MethodHandles.lookup());
            Class<?> ms = MemorySegment.class;
            OPEN = lib.findVirtual(UnicornLibrary.class, "open", MethodType.methodType(ms, int.class, int.class));
            CLOSE = lib.findVirtual(UnicornLibrary.class, "close", MethodType.methodType(int.class, ms));
            EMU_START = lib.findVirtual(UnicornLibrary.class, "emuStart",
                    MethodType.methodType(int.class, ms, long.class, long.class, long.class, long.class));
            REG_READ = lib.findVirtual(UnicornLibrary.class, "regRead", MethodType.methodType(int.class, ms, int.class, ms));
            REG_WRITE = lib.findVirtual(UnicornLibrary.class, "regWrite", MethodType.methodType(int.class, ms, int.class, ms));
            MEM_MAP_PTR = lib.findVirtual(UnicornLibrary.class, "memMapPtr",
                    MethodType.methodType(int.class, ms, long.class, long.class, int.class, ms));
            HOOK_ADD = lib.findVirtual(UnicornLibrary.class, "hookAdd",
                    MethodType.methodType(long.class, ms, int.class, ms, long.class, long.class));
            UC_ARCH_X86 = constant(abi, abiClass, "UC_ARCH_X86");
            UC_MODE_64 = constant(abi, abiClass, "UC_MODE_64");
            UC_ERR_OK = constant(abi, abiClass, "UC_ERR_OK");
            UC_ERR_INSN_INVALID = constant(abi, abiClass, "UC_ERR_INSN_INVALID");
            UC_HOOK_INSN_INVALID = constant(abi, abiClass, "UC_HOOK_INSN_INVALID");
            UC_PROT_ALL = constant(abi, abiClass, "UC_PROT_READ") | constant(abi, abiClass, "UC_PROT_WRITE")
                    | constant(abi, abiClass, "UC_PROT_EXEC");
            UC_PROT_READ_EXEC = constant(abi, abiClass, "UC_PROT_READ") | constant(abi, abiClass, "UC_PROT_EXEC");
            REG_RIP = constant(abi, abiClass, "UC_X86_REG_RIP");
            MethodHandle registerId = abi.findStatic(abiClass, "registerId", MethodType.methodType(int.class, X64Register.class));
            REG_RAX = register(registerId, X64Register.RAX);
            REG_RBX = register(registerId, X64Register.RBX);
            REG_RCX = register(registerId, X64Register.RCX);
            REG_RDX = register(registerId, X64Register.RDX);
            REG_R8 = register(registerId, X64Register.R8);
            REG_RBP = register(registerId, X64Register.RBP);
            REG_RSP = register(registerId, X64Register.RSP);
            UC_HOOK_MEM_INVALID = constant(abi, abiClass, "UC_HOOK_MEM_INVALID");
            UC_HOOK_MEM_READ = constant(abi, abiClass, "UC_HOOK_MEM_READ");
            UC_HOOK_MEM_WRITE = constant(abi, abiClass, "UC_HOOK_MEM_WRITE");
            Class<?> trapsClass = Class.forName("dev.parvis.hv.backend.unicorn.UnicornTraps");
            RIP_SYNC_RANGE = (long) MethodHandles.privateLookupIn(trapsClass, MethodHandles.lookup())
                    .findStaticVarHandle(trapsClass, "RIP_SYNC_RANGE", long.class).get();
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static int register(MethodHandle registerId, X64Register register) {
        try {
            return (int) registerId.invokeExact(register);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static int constant(MethodHandles.Lookup lookup, Class<?> owner, String name) throws ReflectiveOperationException {
        try {
            return (int) lookup.findStaticGetter(owner, name, int.class).invokeExact();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private final UnicornLibrary library = UnicornLibrary.load();
    /** Code page and upcall stubs: they must outlive uc_close, so the arena is closed after it. */
    private final Arena arena = Arena.ofShared();
    private final MemorySegment scratch = Arena.ofAuto().allocate(8, 8);
    private final MemorySegment memory;
    private final long base;
    private final MemorySegment uc;

    /** A fresh engine with {@code bytes} at {@link #CODE_PAGE} (one read + execute page, as guest code is mapped). */
    BareUnicorn(byte[] bytes) {
        this(CODE_PAGE, 1, UC_PROT_READ_EXEC);
        poke(CODE_PAGE, bytes);
    }

    /** A fresh engine with {@code pages} zeroed read-write-execute pages from {@code base}, one host segment. */
    BareUnicorn(long base, int pages) {
        this(base, pages, UC_PROT_ALL);
    }

    private BareUnicorn(long base, int pages, int protection) {
        this.base = base;
        memory = arena.allocate(pages * PAGE, PAGE);
        uc = call(() -> (MemorySegment) OPEN.invokeExact(library, UC_ARCH_X86, UC_MODE_64));
        check("uc_mem_map_ptr", call(() -> (int) MEM_MAP_PTR.invokeExact(library, uc, base, pages * PAGE, protection, memory)));
    }

    /** Writes guest bytes at guest address {@code gpa} (host memory backs the guest directly). */
    void poke(long gpa, byte[] bytes) {
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, memory, gpa - base, bytes.length);
    }

    void pokeLong(long gpa, long value) {
        memory.set(JAVA_LONG, gpa - base, value);
    }

    long peekLong(long gpa) {
        return memory.get(JAVA_LONG, gpa - base);
    }

    /** The host segment backing the guest pages (for handing the same layout to a real engine). */
    MemorySegment memory() {
        return memory;
    }

    /**
     * Installs the one hook of the trap baseline: a Java UC_HOOK_INSN_INVALID upcall that records
     * nothing and returns false (on 2.0.1 the run ends with UC_ERR_INSN_INVALID, RIP at the vmcall).
     */
    void addEmptyInvalidInstructionHook() {
        try {
            MethodHandle target = MethodHandles.lookup().findStatic(BareUnicorn.class, "onInvalidInstruction",
                    MethodType.methodType(boolean.class, MemorySegment.class, MemorySegment.class));
            MemorySegment stub = Linker.nativeLinker().upcallStub(target,
                    FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, ADDRESS), arena);
            long ignored = call(() -> (long) HOOK_ADD.invokeExact(library, uc, UC_HOOK_INSN_INVALID, stub, 1L, 0L));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean onInvalidInstruction(MemorySegment uc, MemorySegment user) {
        return false;
    }

    /**
     * The memory hooks the backend's UnicornTraps installs, with empty bodies: an invalid-memory
     * hook over all addresses, and the do-nothing read/write hook on {@link #RIP_SYNC_RANGE} whose
     * presence makes 2.0.1 sync RIP before every guest load and store.
     */
    void addBackendMemoryHooks() {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            FunctionDescriptor invalid = FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS);
            FunctionDescriptor access = FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS);
            MemorySegment invalidStub = Linker.nativeLinker().upcallStub(
                    lookup.findStatic(BareUnicorn.class, "onMemoryFault", invalid.toMethodType()), invalid, arena);
            MemorySegment accessStub = Linker.nativeLinker().upcallStub(
                    lookup.findStatic(BareUnicorn.class, "onMemoryAccess", access.toMethodType()), access, arena);
            long a = call(() -> (long) HOOK_ADD.invokeExact(library, uc, UC_HOOK_MEM_INVALID, invalidStub, 1L, 0L));
            long b = call(() -> (long) HOOK_ADD.invokeExact(library, uc, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, accessStub,
                    RIP_SYNC_RANGE, RIP_SYNC_RANGE));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean onMemoryFault(MemorySegment uc, int type, long address, int size, long value, MemorySegment user) {
        return false;
    }

    private static void onMemoryAccess(MemorySegment uc, int type, long address, int size, long value, MemorySegment user) {}

    /** uc_emu_start(begin, until = 0, timeout = 0, count = 0); returns the uc_err. */
    int start(long begin) {
        try {
            return (int) EMU_START.invokeExact(library, uc, begin, 0L, 0L, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    long read(int regId) {
        try {
            scratch.set(JAVA_LONG, 0, 0L);
            int err = (int) REG_READ.invokeExact(library, uc, regId, scratch);
            if (err != UC_ERR_OK) {
                throw new IllegalStateException("uc_reg_read " + regId + ": uc_err " + err);
            }
            return scratch.get(JAVA_LONG, 0);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    void write(int regId, long value) {
        try {
            scratch.set(JAVA_LONG, 0, value);
            int err = (int) REG_WRITE.invokeExact(library, uc, regId, scratch);
            if (err != UC_ERR_OK) {
                throw new IllegalStateException("uc_reg_write " + regId + ": uc_err " + err);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void close() {
        int ignored = call(() -> (int) CLOSE.invokeExact(library, uc));
        arena.close();
    }

    private static void check(String what, int err) {
        if (err != UC_ERR_OK) {
            throw new IllegalStateException(what + ": uc_err " + err);
        }
    }

    @FunctionalInterface
    private interface Call<T> {
        T invoke() throws Throwable;
    }

    private static <T> T call(Call<T> c) {
        try {
            return c.invoke();
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
