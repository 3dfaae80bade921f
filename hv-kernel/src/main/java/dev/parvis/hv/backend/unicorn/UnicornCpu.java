package dev.parvis.hv.backend.unicorn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * One uc_engine opened in 64-bit mode, with typed register and memory access.
 *
 * <p>The scratch buffer comes from an automatic arena: register downcalls are made on the VP's
 * thread, but the engine may be created and closed elsewhere, which rules out a confined arena; a
 * shared arena would make every downcall acquire and release the buffer's session (the notes
 * measured twice the cost), while an automatic arena's session needs no such bookkeeping.
 */
final class UnicornCpu {
    private final UnicornLibrary library;
    private final MemorySegment uc;
    private final MemorySegment scratch = Arena.ofAuto().allocate(UnicornAbi.X86_MMR.byteSize(), 8);
    /** False when the native shim opened the engine and closes it (under its guard). */
    private final boolean owned;
    private boolean closed;

    UnicornCpu(UnicornLibrary library) {
        this.library = library;
        this.uc = library.open(UnicornAbi.UC_ARCH_X86, UnicornAbi.UC_MODE_64);
        this.owned = true;
    }

    /** An engine the shim opened; {@link #close()} leaves it to the shim. */
    UnicornCpu(UnicornLibrary library, MemorySegment uc) {
        this.library = library;
        this.uc = uc;
        this.owned = false;
    }

    UnicornLibrary library() {
        return library;
    }

    MemorySegment handle() {
        return uc;
    }

    long readLong(int regId) {
        // uc_reg_read writes only the register's width (CS: 2 bytes, EFLAGS: 4): zero first.
        scratch.set(JAVA_LONG, 0, 0L);
        library.check("uc_reg_read", library.regRead(uc, regId, scratch));
        return scratch.get(JAVA_LONG, 0);
    }

    void writeLong(int regId, long value) {
        scratch.set(JAVA_LONG, 0, value);
        library.check("uc_reg_write", library.regWrite(uc, regId, scratch));
    }

    /** A uc_x86_mmr register as {selector, base, limit, flags}. */
    long[] readMmr(int regId) {
        scratch.fill((byte) 0);
        library.check("uc_reg_read", library.regRead(uc, regId, scratch));
        return new long[] {
                scratch.get(JAVA_SHORT, UnicornAbi.MMR_SELECTOR) & 0xffff,
                scratch.get(JAVA_LONG, UnicornAbi.MMR_BASE),
                scratch.get(JAVA_INT, UnicornAbi.MMR_LIMIT) & 0xffff_ffffL,
                scratch.get(JAVA_INT, UnicornAbi.MMR_FLAGS) & 0xffff_ffffL};
    }

    void writeMmr(int regId, int selector, long base, int limit, int flags) {
        scratch.fill((byte) 0);
        scratch.set(JAVA_SHORT, UnicornAbi.MMR_SELECTOR, (short) selector);
        scratch.set(JAVA_LONG, UnicornAbi.MMR_BASE, base);
        scratch.set(JAVA_INT, UnicornAbi.MMR_LIMIT, limit);
        scratch.set(JAVA_INT, UnicornAbi.MMR_FLAGS, flags);
        library.check("uc_reg_write", library.regWrite(uc, regId, scratch));
    }

    long readMsr(int msr) {
        scratch.fill((byte) 0);
        scratch.set(JAVA_INT, UnicornAbi.MSR_RID, msr);
        library.check("uc_reg_read(MSR)", library.regRead(uc, UnicornAbi.UC_X86_REG_MSR, scratch));
        return scratch.get(JAVA_LONG, UnicornAbi.MSR_VALUE);
    }

    void writeMsr(int msr, long value) {
        scratch.fill((byte) 0);
        scratch.set(JAVA_INT, UnicornAbi.MSR_RID, msr);
        scratch.set(JAVA_LONG, UnicornAbi.MSR_VALUE, value);
        library.check("uc_reg_write(MSR)", library.regWrite(uc, UnicornAbi.UC_X86_REG_MSR, scratch));
    }

    /** Up to 16 guest bytes at {@code address}, or an empty array when they are not all mapped. */
    byte[] readBytes(long address, int count) {
        if (library.memRead(uc, address, scratch, count) != UnicornAbi.UC_ERR_OK) {
            return new byte[0];
        }
        // MemorySegment.copy, not toArray: toArray builds an error-message class name on every call.
        byte[] bytes = new byte[count];
        MemorySegment.copy(scratch, JAVA_BYTE, 0, bytes, 0, count);
        return bytes;
    }

    int emuStart(long begin) {
        // until = 0: a non-zero "until" right after hot code invalidates that translation block on
        // every exit; timeout = 0: a timeout spawns and joins a timer thread per call. Preemption
        // comes from kick() instead.
        return library.emuStart(uc, begin, 0L, 0L, 0L);
    }

    void emuStop() {
        library.emuStop(uc);
    }

    void close() {
        if (!closed) {
            closed = true;
            if (owned) {
                library.close(uc);
            }
        }
    }
}
