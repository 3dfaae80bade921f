package dev.parvis.hv.backend.unicorn;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Clears QEMU's "exception in flight" latch ({@code CPUX86State.old_exception}) after a CPU fault was
 * reported as an exit.
 *
 * <p>Why: unicorn hands a fault to UC_HOOK_INTR instead of delivering it, so QEMU never marks it
 * delivered. On 2.0.1 the next contributory fault (#DE, #TS..#GP) or #PF is then escalated to #DF,
 * the one after that to a triple fault, after which every run returns UC_ERR_OK at the same RIP
 * with nothing executed. Unicorn has no API for the latch, but it is part of the saved CPU context:
 * a probe run once per JVM finds its offset in the uc_context blob (the one int that goes from -1 to
 * 0 across a #DE), verifies that writing -1 there makes the next #DE a plain #DE again, and engines
 * then clear it with save, patch, restore. If the probe fails the latch is left alone and a warning
 * is logged: faults then escalate as described.
 */
final class UnicornFaultLatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UnicornFaultLatch.class);
    private static final long CODE = 0x1000;
    /** xor ecx, ecx; div rcx; hlt */
    private static final byte[] DIVIDE_BY_ZERO = {0x31, (byte) 0xC9, 0x48, (byte) 0xF7, (byte) 0xF1, (byte) 0xF4};
    private static final long NOT_FOUND = -1;
    private static volatile long offset = Long.MIN_VALUE;

    private final UnicornCpu cpu;
    private final MemorySegment context;

    UnicornFaultLatch(UnicornCpu cpu) {
        this.cpu = cpu;
        this.context = offset(cpu.library()) == NOT_FOUND ? MemorySegment.NULL : cpu.library().contextAlloc(cpu.handle());
    }

    /** True for the vectors that set the latch: #DE, #DF, #TS, #NP, #SS, #GP, #PF. */
    static boolean latches(int vector) {
        return vector == 0 || vector == 8 || (vector >= 10 && vector <= 14);
    }

    /** Marks the last fault as delivered, so the next one is not escalated. */
    void clear() {
        if (context.equals(MemorySegment.NULL)) {
            return;
        }
        cpu.library().contextSave(cpu.handle(), context);
        context.set(JAVA_INT, offset, -1);
        cpu.library().contextRestore(cpu.handle(), context);
    }

    @Override
    public void close() {
        if (!context.equals(MemorySegment.NULL)) {
            cpu.library().contextFree(context);
        }
    }

    static synchronized long offset(UnicornLibrary library) {
        if (offset == Long.MIN_VALUE) {
            try {
                offset = probe(library);
            } catch (RuntimeException e) {
                log.warn("could not probe the unicorn exception latch; faults after the first will escalate", e);
                offset = NOT_FOUND;
            }
        }
        return offset;
    }

    private static long probe(UnicornLibrary library) {
        UnicornCpu probe = new UnicornCpu(library);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment page = arena.allocate(4096, 4096);
            page.copyFrom(MemorySegment.ofArray(DIVIDE_BY_ZERO));
            library.check("uc_mem_map_ptr", library.memMapPtr(probe.handle(), CODE, 4096, UnicornAbi.UC_PROT_READ | UnicornAbi.UC_PROT_EXEC, page));
            MemorySegment before = library.contextAlloc(probe.handle());
            MemorySegment after = library.contextAlloc(probe.handle());
            try {
                return find(library, probe, before, after);
            } finally {
                library.contextFree(before);
                library.contextFree(after);
            }
        } finally {
            probe.close();
        }
    }

    private static long find(UnicornLibrary library, UnicornCpu probe, MemorySegment before, MemorySegment after) {
        library.contextSave(probe.handle(), before);
        faultOnce(probe);
        library.contextSave(probe.handle(), after);
        long found = NOT_FOUND;
        for (long i = 0; i + 4 <= before.byteSize(); i += 4) {
            if (before.get(JAVA_INT, i) == -1 && after.get(JAVA_INT, i) == 0) {
                if (found != NOT_FOUND) {
                    throw new IllegalStateException("more than one candidate: " + found + ", " + i);
                }
                found = i;
            }
        }
        if (found == NOT_FOUND) {
            throw new IllegalStateException("no candidate in " + before.byteSize() + " context bytes");
        }
        verify(library, probe, after, found);
        log.debug("unicorn exception latch at context offset {}", found);
        return found;
    }

    /** Patching the latch must turn the second #DE back into #DE (latch 0), not #DF (latch 8). */
    private static void verify(UnicornLibrary library, UnicornCpu probe, MemorySegment context, long at) {
        context.set(JAVA_INT, at, -1);
        library.contextRestore(probe.handle(), context);
        faultOnce(probe);
        library.contextSave(probe.handle(), context);
        if (context.get(JAVA_INT, at) != 0) {
            throw new IllegalStateException("offset " + at + " did not behave as the latch");
        }
    }

    private static void faultOnce(UnicornCpu probe) {
        probe.writeLong(UnicornAbi.UC_X86_REG_RIP, CODE);
        int err = probe.emuStart(CODE);
        if (err != UnicornAbi.UC_ERR_EXCEPTION) {
            throw new IllegalStateException("probe #DE ended with uc_err " + err);
        }
    }
}
