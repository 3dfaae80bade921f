package dev.parvis.hv.backend.kvm;

import dev.parvis.hv.backend.GuestMemoryRegion;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * The pages the backend adds to each VP, none of them guest memory: GDT, IDT, TSS, one exception
 * stub per vector, the stack exceptions are delivered on, and the identity map's page tables. They
 * live above the guest's whole physical space ({@link #BASE}), so no guest page can alias them; the
 * first five are mapped supervisor-only (the processor needs linear addresses for them), the
 * tables are not mapped at all. The doorbell ({@link #DOORBELL}) is a linear page with no memory
 * behind it: a store there leaves the guest as an MMIO exit, the backend's hypercall instruction.
 *
 * <p>Every exception vector enters its stub on the dedicated stack (IST 1 and RSP0); the stub is
 * {@code out %al, $STUB_PORT}, so the exit's RIP names the vector and the CPU-pushed frame sits
 * on the stack where the backend reads it and unwinds it.
 */
final class SupervisorArea implements AutoCloseable {
    static final long BASE = IdentityMap.GUEST_SPACE_END;
    static final long GDT = BASE;
    static final long IDT = BASE + 0x1000;
    static final long TSS = BASE + 0x2000;
    static final long STUBS = BASE + 0x3000;
    static final long STACK_TOP = BASE + 0x6000;
    static final long TABLES = BASE + 0x6000;
    static final long DOORBELL = BASE + (1L << 30);
    static final int FIXED_PAGES = 6;
    static final short KERNEL_CS = 0x08;
    static final short KERNEL_SS = 0x10;
    static final short USER_CS = 0x1B;
    static final short USER_SS = 0x23;
    static final short TSS_SELECTOR = 0x28;
    static final int GDT_LIMIT = 7 * 8 - 1;
    static final int IDT_LIMIT = 256 * 16 - 1;
    static final int TSS_LIMIT = 0x67;
    static final int STUB_SIZE = 16;
    static final int STUB_PORT = 0xE0;
    private static final long PAGE = IdentityMap.PAGE;

    /** The frame the processor pushed when it delivered {@code vector}. */
    record ExceptionFrame(int vector, long errorCode, long rip, long cs, long rflags, long rsp, long ss) {}

    private Arena arena;
    private MemorySegment memory;
    private int tableCapacity;
    private long cr3;

    SupervisorArea() {
        allocate(16);
    }

    /** Host memory of the whole area (fixed pages and tables), the backing of its memory slot. */
    MemorySegment memory() {
        return memory;
    }

    long cr3() {
        return cr3;
    }

    /**
     * Rebuilds the page tables for {@code regions}; returns true if the area had to move (its slot
     * must then be re-created with the new host memory).
     */
    boolean rebuild(List<GuestMemoryRegion> regions, boolean userPages) {
        var chunks = IdentityMap.leaves(regions, fixedMappings(), userPages);
        int needed = IdentityMap.tablePages(chunks);
        boolean moved = needed > tableCapacity;
        if (moved) {
            MemorySegment old = memory;
            Arena oldArena = arena;
            allocate(Math.max(needed, tableCapacity * 2));
            MemorySegment.copy(old, 0, memory, 0, FIXED_PAGES * PAGE);
            oldArena.close();
        }
        cr3 = IdentityMap.build(chunks, memory.asSlice(FIXED_PAGES * PAGE), TABLES);
        return moved;
    }

    private void allocate(int tablePages) {
        arena = Arena.ofShared();
        tableCapacity = tablePages;
        memory = arena.allocate((FIXED_PAGES + tablePages) * PAGE, PAGE);
        writeGdt(memory.asSlice(GDT - BASE, PAGE));
        writeIdt(memory.asSlice(IDT - BASE, PAGE));
        writeTss(memory.asSlice(TSS - BASE, PAGE));
        writeStubs(memory.asSlice(STUBS - BASE, PAGE));
    }

    private static List<IdentityMap.Mapping> fixedMappings() {
        long data = IdentityMap.P | IdentityMap.RW | IdentityMap.A | IdentityMap.D | IdentityMap.NX;
        long code = IdentityMap.P | IdentityMap.A | IdentityMap.D;
        long doorbell = data | IdentityMap.US;
        return List.of(new IdentityMap.Mapping(GDT, data), new IdentityMap.Mapping(IDT, data), new IdentityMap.Mapping(TSS, data),
                new IdentityMap.Mapping(STUBS, code), new IdentityMap.Mapping(STACK_TOP - 2 * PAGE, data),
                new IdentityMap.Mapping(STACK_TOP - PAGE, data), new IdentityMap.Mapping(DOORBELL, doorbell));
    }

    /** Null, kernel code/data, user code/data (accessed bits preset), then the 16-byte TSS descriptor. */
    private static void writeGdt(MemorySegment gdt) {
        long[] entries = {0, 0x00209B0000000000L, 0x0000930000000000L, 0x0020FB0000000000L, 0x0000F30000000000L};
        for (int i = 0; i < entries.length; i++) {
            gdt.set(ValueLayout.JAVA_LONG_UNALIGNED, i * 8L, entries[i]);
        }
        long tssLow = TSS_LIMIT | ((TSS & 0xFF_FFFFL) << 16) | (0x89L << 40) | (((TSS >>> 24) & 0xFF) << 56);
        gdt.set(ValueLayout.JAVA_LONG_UNALIGNED, TSS_SELECTOR, tssLow);
        gdt.set(ValueLayout.JAVA_LONG_UNALIGNED, TSS_SELECTOR + 8, TSS >>> 32);
    }

    /** 256 interrupt gates (DPL 0, IST 1) to the stubs. */
    private static void writeIdt(MemorySegment idt) {
        for (int v = 0; v < 256; v++) {
            long target = STUBS + (long) v * STUB_SIZE;
            long low = (target & 0xFFFF) | ((long) KERNEL_CS << 16) | (1L << 32) | (0x8EL << 40) | (((target >>> 16) & 0xFFFF) << 48);
            idt.set(ValueLayout.JAVA_LONG_UNALIGNED, v * 16L, low);
            idt.set(ValueLayout.JAVA_LONG_UNALIGNED, v * 16L + 8, target >>> 32);
        }
    }

    /** RSP0 and IST1 at the top of the stack; no I/O bitmap (its offset is past the limit). */
    private static void writeTss(MemorySegment tss) {
        tss.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, STACK_TOP);
        tss.set(ValueLayout.JAVA_LONG_UNALIGNED, 0x24, STACK_TOP);
        tss.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0x66, (short) (TSS_LIMIT + 1));
    }

    /** Each stub: {@code out %al, $STUB_PORT}, then {@code hlt; jmp .-1} should anything resume it. */
    private static void writeStubs(MemorySegment stubs) {
        stubs.fill((byte) 0xCC);
        for (int v = 0; v < 256; v++) {
            long at = (long) v * STUB_SIZE;
            stubs.set(ValueLayout.JAVA_BYTE, at, (byte) 0xE6);
            stubs.set(ValueLayout.JAVA_BYTE, at + 1, (byte) STUB_PORT);
            stubs.set(ValueLayout.JAVA_BYTE, at + 2, (byte) 0xF4);
            stubs.set(ValueLayout.JAVA_BYTE, at + 3, (byte) 0xEB);
            stubs.set(ValueLayout.JAVA_BYTE, at + 4, (byte) 0xFD);
        }
    }

    /** The vector whose stub stopped at {@code rip} (just after its out), or -1. */
    static int stubVector(long rip) {
        long offset = rip - STUBS - 2;
        return offset >= 0 && offset < 256L * STUB_SIZE && offset % STUB_SIZE == 0 ? (int) (offset / STUB_SIZE) : -1;
    }

    /**
     * The frame on the exception stack at {@code rsp}. IST 1 starts every delivery at the top of the
     * stack, so the depth tells whether the processor pushed an error code (48 bytes) or not (40):
     * a guest's {@code int 14} pushes none where a real #PF pushes one.
     */
    ExceptionFrame frame(int vector, long rsp) {
        long depth = STACK_TOP - rsp;
        if (depth != 40 && depth != 48) {
            throw new IllegalStateException("exception frame of %d bytes at 0x%x".formatted(depth, rsp));
        }
        long offset = rsp - BASE;
        long error = depth == 48 ? word(offset) : 0;
        long at = depth == 48 ? offset + 8 : offset;
        return new ExceptionFrame(vector, error, word(at), word(at + 8), word(at + 16), word(at + 24), word(at + 32));
    }

    private long word(long offset) {
        return memory.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
    }

    @Override
    public void close() {
        arena.close();
    }
}
