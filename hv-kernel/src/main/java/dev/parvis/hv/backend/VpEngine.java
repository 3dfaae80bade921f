package dev.parvis.hv.backend;

import java.util.List;

/**
 * The execution engine of one virtual processor.
 *
 * <p>Threading: every method except {@link #kick()} and {@link #kickPending()} is called by the one
 * thread that owns the VP (or while that thread is provably not inside {@link #run()}). {@code kick}
 * may be called from any thread at any time.
 */
public interface VpEngine extends AutoCloseable {

    /**
     * Makes the guest see exactly these regions: regions no longer listed are unmapped, new ones are
     * mapped, changed rights are applied. Regions are page aligned, do not overlap, and their host
     * segments stay valid until they are unmapped or the engine is closed.
     */
    void applyMemoryMap(List<GuestMemoryRegion> regions);

    /**
     * Runs the guest from the current RIP until something needs the kernel. If a kick is pending the
     * call returns {@link VpExit.Cancelled} without running and clears the kick.
     */
    VpExit run();

    /**
     * Asks a running {@link #run()} to return promptly with {@link VpExit.Cancelled}. The request is
     * sticky: it stays pending until a {@code run} call consumes it, so a kick that arrives between
     * two runs is never lost. Callers re-kick while {@link #kickPending()} stays true, because the
     * underlying stop of some backends (uc_emu_stop) can be lost when it lands on an engine entry.
     */
    void kick();

    /** True from {@link #kick()} until a {@link #run()} has returned because of it. */
    boolean kickPending();

    long readRegister(X64Register register);

    void writeRegister(X64Register register, long value);

    /** Reads several registers in one backend call, in order. */
    void readRegisters(X64Register[] registers, long[] values);

    SegmentRegister readSegment(X64Register segment);

    void writeSegment(X64Register segment, SegmentRegister value);

    /** GDTR or IDTR. */
    TableRegister readTable(X64Register table);

    void writeTable(X64Register table, TableRegister value);

    @Override
    void close();
}
