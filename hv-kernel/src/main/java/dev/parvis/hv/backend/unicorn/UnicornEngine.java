package dev.parvis.hv.backend.unicorn;

import dev.parvis.hv.backend.GuestMemoryRegion;
import dev.parvis.hv.backend.SegmentRegister;
import dev.parvis.hv.backend.TableRegister;
import dev.parvis.hv.backend.VpEngine;
import dev.parvis.hv.backend.VpExit;
import dev.parvis.hv.backend.VpIntercepts;
import dev.parvis.hv.backend.X64Register;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One virtual processor on its own unicorn instance, in 64-bit mode.
 *
 * <p>Initial state (measured on 2.0.1): CR0 = 0x11 (PE, ET; PG clear), CR4 = 0, EFER = 0x500
 * (LME, LMA), CS selector 0 but executing as 64-bit code. Paging is off, so a linear address is the
 * guest-physical address: the GPA map is the guest's whole address space.
 *
 * <p>RIP on exits (2.0.1, each pinned by a test): Hypercall and InvalidOpcode at the instruction;
 * MemoryViolation at the faulting instruction (precise thanks to {@link UnicornTraps#RIP_SYNC_RANGE}),
 * so mapping the page and running again retries exactly that instruction; Exception after
 * {@code int n}/{@code int3} (traps) and at the instruction for faults such as #DE; Halt after the
 * hlt; IoPortWrite at the end of the translation block (imprecise).
 *
 * <p>Kicks never call uc_emu_stop from another thread: on 2.0.1 that can resume the guest at a
 * stale PC and repeat instructions. A kick raises a flag that a native block hook checks at the next
 * translation-block boundary ({@link UnicornKick}); the flag is sticky, and the pending flag here
 * is still checked before every entry and acknowledged after every return.
 */
public final class UnicornEngine implements VpEngine {
    private static final int RIP = UnicornAbi.UC_X86_REG_RIP;

    private final UnicornCpu cpu;
    private final UnicornTraps traps;
    private final UnicornFaultLatch faultLatch;
    private final UnicornKick kick;
    private final UnicornGpaMap gpaMap = new UnicornGpaMap();
    private final AtomicBoolean kickPending = new AtomicBoolean();
    /** RIP as last read or written; only uc_emu_start changes it behind our back. Saves two reads per exit. */
    private long rip;
    private boolean ripKnown;
    private volatile boolean closed;

    UnicornEngine(UnicornLibrary library, VpIntercepts intercepts) {
        this.cpu = new UnicornCpu(library);
        this.traps = new UnicornTraps(cpu, intercepts);
        this.kick = new UnicornKick(library);
        try {
            traps.install();
            kick.install(cpu);
            this.faultLatch = new UnicornFaultLatch(cpu);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public void applyMemoryMap(List<GuestMemoryRegion> regions) {
        gpaMap.apply(cpu, regions);
    }

    @Override
    public VpExit run() {
        if (kickPending.getAndSet(false)) {
            kick.withdraw();
            return new VpExit.Cancelled();
        }
        traps.reset();
        int ucErr = cpu.emuStart(rip());
        ripKnown = false;
        // Only a stop made by the block hook is a kick; a late kick (after a hlt, say) stays pending
        // for the next run instead of disguising this exit.
        boolean kicked = kick.consumeStopped();
        if (kicked) {
            kickPending.set(false);
        }
        RecordedEvent event = traps.event();
        if (event instanceof RecordedEvent.Interrupt i && UnicornFaultLatch.latches(i.vector())) {
            faultLatch.clear();
        }
        return decode(ucErr, event, kicked);
    }

    /** Fetches only the guest bytes the decoder needs for this outcome, then decodes. */
    private VpExit decode(int ucErr, RecordedEvent event, boolean kicked) {
        long rip = rip();
        boolean invalid = event instanceof RecordedEvent.InvalidInstruction
                || (event instanceof RecordedEvent.None && ucErr == UnicornAbi.UC_ERR_INSN_INVALID);
        byte[] bytesAtRip = invalid ? guestBytes(rip, 3) : new byte[0];
        boolean mayBeHalt = event instanceof RecordedEvent.None && ucErr == UnicornAbi.UC_ERR_OK && !kicked;
        int byteBefore = mayBeHalt ? byteBefore(rip) : UnicornExitDecoder.NO_BYTE;
        return UnicornExitDecoder.decode(ucErr, event, kicked, rip, bytesAtRip, byteBefore, cpu.library()::strerror);
    }

    /** Guest bytes from the mapped host memory, falling back to uc_mem_read (e.g. across regions). */
    private byte[] guestBytes(long gpa, int count) {
        byte[] bytes = gpaMap.read(gpa, count);
        return bytes != null ? bytes : cpu.readBytes(gpa, count);
    }

    private int byteBefore(long rip) {
        byte[] b = guestBytes(rip - 1, 1);
        return b.length == 1 ? b[0] & 0xff : UnicornExitDecoder.NO_BYTE;
    }

    /**
     * Safe from any thread. A stop that arrives after run() acknowledged the kick may end the next
     * run too (a spurious Cancelled). The kernel must stop kicking before it closes the engine: a
     * kick racing with close() could reach uc_emu_stop on a freed instance.
     */
    @Override
    public void kick() {
        kickPending.set(true);
        if (!closed) {
            try {
                kick.request();
            } catch (IllegalStateException e) {
                // Closed concurrently: there is no run left to stop.
            }
        }
    }

    @Override
    public boolean kickPending() {
        return kickPending.get();
    }

    private long rip() {
        if (!ripKnown) {
            rip = cpu.readLong(RIP);
            ripKnown = true;
        }
        return rip;
    }

    @Override
    public long readRegister(X64Register register) {
        if (register == X64Register.RIP) {
            return rip();
        }
        int id = UnicornAbi.registerId(register);
        if (id >= 0 && !register.isTable()) {
            return cpu.readLong(id);
        }
        int msr = UnicornAbi.msrIndex(register);
        if (msr != 0) {
            return cpu.readMsr(msr);
        }
        throw new IllegalArgumentException(register + " is a table register: use readTable");
    }

    @Override
    public void writeRegister(X64Register register, long value) {
        int id = UnicornAbi.registerId(register);
        if (id >= 0 && !register.isTable()) {
            cpu.writeLong(id, value);
            if (register == X64Register.RIP) {
                rip = value;
                ripKnown = true;
            }
            return;
        }
        int msr = UnicornAbi.msrIndex(register);
        if (msr != 0) {
            cpu.writeMsr(msr, value);
            return;
        }
        throw new IllegalArgumentException(register + " is a table register: use writeTable");
    }

    /** A loop of critical uc_reg_read downcalls (~7 ns each): cheaper than building a batch's pointer arrays. */
    @Override
    public void readRegisters(X64Register[] registers, long[] values) {
        for (int i = 0; i < registers.length; i++) {
            values[i] = readRegister(registers[i]);
        }
    }

    @Override
    public SegmentRegister readSegment(X64Register segment) {
        return UnicornSegments.read(cpu, segment);
    }

    @Override
    public void writeSegment(X64Register segment, SegmentRegister value) {
        UnicornSegments.write(cpu, segment, value);
    }

    @Override
    public TableRegister readTable(X64Register table) {
        requireTable(table);
        long[] mmr = cpu.readMmr(UnicornAbi.registerId(table));
        return new TableRegister(mmr[1], (int) mmr[2]);
    }

    @Override
    public void writeTable(X64Register table, TableRegister value) {
        requireTable(table);
        cpu.writeMmr(UnicornAbi.registerId(table), 0, value.base(), value.limit(), 0);
    }

    private static void requireTable(X64Register table) {
        if (!table.isTable()) {
            throw new IllegalArgumentException(table + " is not GDTR or IDTR");
        }
    }

    /** uc_close first, then the upcall stubs: unicorn must never call a freed stub. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        cpu.close();
        traps.close();
        kick.close();
        if (faultLatch != null) {
            faultLatch.close();
        }
    }
}
