package dev.parvis.hv.backend.unicorn;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;

/**
 * The baseline for backend benchmarks: libunicorn with nothing of Parvis around it. One host
 * segment at GPA 0: the code page at {@link #CODE_GPA} read + execute (as guest code is mapped: a
 * writable code page makes unicorn check for self-modifying code, about 1.6x slower), the rest
 * read-write; run until hlt. Two flavours: no hooks at
 * all, or only an empty Java UC_HOOK_INSN_INVALID hook with the run loop re-entering at RIP+3 (the
 * cost floor of a hypercall round trip through an invalid-opcode trap).
 *
 * <p>Confined arena: a harness belongs to the one benchmark thread that creates, runs and closes it.
 */
public final class BareUnicorn implements AutoCloseable {
    public static final long CODE_GPA = 0x1000;
    public static final int RAX = UnicornAbi.registerId(dev.parvis.hv.backend.X64Register.RAX);
    public static final int RCX = UnicornAbi.registerId(dev.parvis.hv.backend.X64Register.RCX);
    public static final int RIP = UnicornAbi.UC_X86_REG_RIP;

    /** Wall time of one run and how many invalid-opcode traps it took. */
    public record Run(long nanos, long traps) {}

    private final Arena arena = Arena.ofConfined();
    private final UnicornCpu cpu;
    private final MemorySegment memory;

    private BareUnicorn(byte[] code, long memoryBytes, boolean trapInvalidOpcodes) {
        UnicornLibrary lib = UnicornLibrary.load();
        cpu = new UnicornCpu(lib);
        memory = arena.allocate(memoryBytes, 4096);
        memory.asSlice(CODE_GPA, code.length).copyFrom(MemorySegment.ofArray(code));
        int rw = UnicornAbi.UC_PROT_READ | UnicornAbi.UC_PROT_WRITE;
        long codeEnd = CODE_GPA + ((code.length + 4095) & ~4095L);
        lib.check("uc_mem_map_ptr", lib.memMapPtr(cpu.handle(), 0, CODE_GPA, rw, memory));
        lib.check("uc_mem_map_ptr", lib.memMapPtr(cpu.handle(), CODE_GPA, codeEnd - CODE_GPA,
                UnicornAbi.UC_PROT_READ | UnicornAbi.UC_PROT_EXEC, memory.asSlice(CODE_GPA)));
        if (memoryBytes > codeEnd) {
            lib.check("uc_mem_map_ptr", lib.memMapPtr(cpu.handle(), codeEnd, memoryBytes - codeEnd, rw, memory.asSlice(codeEnd)));
        }
        if (trapInvalidOpcodes) {
            lib.hookAdd(cpu.handle(), UnicornAbi.UC_HOOK_INSN_INVALID, emptyHook(), 1, 0);
        }
    }

    /** No hooks: unicorn's raw speed. {@code memoryBytes} is a multiple of 4096 above CODE_GPA + code. */
    public static BareUnicorn withoutHooks(byte[] code, long memoryBytes) {
        return new BareUnicorn(code, memoryBytes, false);
    }

    /** Only an empty invalid-opcode hook; every vmcall (any 3-byte invalid opcode) is one trap. */
    public static BareUnicorn withInvalidOpcodeTrap(byte[] code, long memoryBytes) {
        return new BareUnicorn(code, memoryBytes, true);
    }

    /** The guest memory, for the caller to set up data or check results. */
    public MemorySegment memory() {
        return memory;
    }

    /** Runs from CODE_GPA until hlt, stepping over each trapped 3-byte invalid opcode. */
    public Run run() {
        long traps = 0;
        long rip = CODE_GPA;
        long start = System.nanoTime();
        while (true) {
            int err = cpu.emuStart(rip);
            if (err == UnicornAbi.UC_ERR_OK) {
                return new Run(System.nanoTime() - start, traps);
            }
            if (err != UnicornAbi.UC_ERR_INSN_INVALID) {
                cpu.library().check("uc_emu_start", err);
            }
            traps++;
            rip = cpu.readLong(UnicornAbi.UC_X86_REG_RIP) + 3;
        }
    }

    public long register(int ucRegId) {
        return cpu.readLong(ucRegId);
    }

    public void setRegister(int ucRegId, long value) {
        cpu.writeLong(ucRegId, value);
    }

    private MemorySegment emptyHook() {
        try {
            FunctionDescriptor fd = FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, ADDRESS);
            var target = MethodHandles.lookup().findStatic(BareUnicorn.class, "onInvalidInstruction",
                    MethodType.methodType(boolean.class, MemorySegment.class, MemorySegment.class));
            return UnicornLibrary.LINKER.upcallStub(target, fd, arena);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Returning false ends uc_emu_start on 2.0.1 and 2.1.x alike (true continues in place on 2.1.x). */
    private static boolean onInvalidInstruction(MemorySegment uc, MemorySegment user) {
        return false;
    }

    /** uc_close before the arena: the hook stub and the mapped memory must outlive the instance. */
    @Override
    public void close() {
        cpu.close();
        arena.close();
    }
}
