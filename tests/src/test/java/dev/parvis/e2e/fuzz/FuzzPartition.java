package dev.parvis.e2e.fuzz;

import dev.parvis.abi.hv.HvConstants;
import dev.parvis.abi.hv.HvInterceptType;
import dev.parvis.abi.hv.HvMapGpaFlags;
import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HvRegisterName;
import dev.parvis.abi.hv.input.RegisterAssoc;
import dev.parvis.abi.hv.message.IoPortInterceptMessage;
import dev.parvis.abi.hv.message.MemoryInterceptMessage;
import dev.parvis.abi.hv.message.UnrecoverableExceptionMessage;
import dev.parvis.abi.hv.message.PartitionFailedMessage;
import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.vp.VirtualProcessor;
import dev.parvis.vmcore.HypercallFailedException;
import dev.parvis.vmcore.RootHypercalls;
import dev.parvis.vmcore.RootPageView;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Optional;

/**
 * One child partition that runs batches of fuzz sequences, driven only through root hypercalls and
 * intercept messages. A batch is one code page of {@link #SLOTS} 32-byte slots: a marker store of the
 * slot's index, a jump to the next byte (so the sequence starts its own translation block: what an
 * emulator's code generator does with an instruction depends on what precedes it in the block),
 * the sequence's 16 bytes, NOPs; the last slot writes the end port. A guest fault
 * (#UD, #GP, unmapped access, any unrecoverable exception) arrives as an intercept, and the root
 * resumes the VP at the slot after the furthest marker with SetVpRegisters, as it would resolve any
 * intercept. Every batch gets a fresh GPA, so no translation of an earlier batch is ever reused.
 */
final class FuzzPartition implements AutoCloseable {
    static final int SLOT = 32;
    static final int SLOTS = 4096 / SLOT;
    static final int END_PORT = 0xE0;
    private static final long STACK_GPN = 0x10, STACK_PAGES = 4, MARKER_GPA = 0x14000;
    private static final long FIRST_CODE_GPN = 0x1000;
    private static final Duration WATCHDOG = Duration.ofMillis(2);

    /** How a batch ended. */
    sealed interface Outcome {
        record Done(int faults, int stalls) implements Outcome {}

        /**
         * The partition failed; {@code marker} is the last slot whose marker store ran: the sequence
         * right after it was being translated or run (each starts a translation block of its own).
         */
        record Failed(String reason, int marker) implements Outcome {}
    }

    private final Hypervisor hv;
    private final RootHypercalls hc;
    private final InterceptRouter intercepts;
    private final long id;
    private final long[] deposit, data;
    private final long[][] codePages = new long[2][];
    private long codeGpn = FIRST_CODE_GPN;
    private long mappedGpn = -1;
    private int batches;
    private boolean finalized;

    FuzzPartition(Hypervisor hv, RootHypercalls hc, InterceptRouter intercepts) {
        this.hv = hv;
        this.hc = hc;
        this.intercepts = intercepts;
        this.id = hc.createPartition(0);
        intercepts.register(id);
        this.deposit = hv.rootMemory().allocate(HvConstants.DEPOSIT_PAGES_PER_PARTITION + HvConstants.DEPOSIT_PAGES_PER_VP);
        hc.depositMemory(id, deposit);
        hc.initializePartition(id);
        this.data = hv.rootMemory().allocate((int) STACK_PAGES + 1);
        hc.mapGpaPages(id, STACK_GPN, HvMapGpaFlags.READABLE | HvMapGpaFlags.WRITABLE, data);
        codePages[0] = hv.rootMemory().allocate(1);
        codePages[1] = hv.rootMemory().allocate(1);
        hc.createVp(id, 0);
        hc.installIntercept(id, HvInterceptType.ACCESS_WRITE, HvInterceptType.X64_IO_PORT, END_PORT);
    }

    long id() {
        return id;
    }

    /** Runs slots [from, SLOTS) of {@code page} (already laid out by {@link #layout}). */
    Outcome run(byte[] page, int from) throws InterruptedException {
        load(page, from);
        int furthest = from - 1;
        int faults = 0, stalls = 0, lastSeen = furthest;
        int resumedAt = from;
        while (true) {
            Optional<HvMessage> m = intercepts.take(id, WATCHDOG);
            if (m.isEmpty()) {
                int marker = marker();
                if (marker > furthest && marker < SLOTS) { // a random store may hit the marker: ignore nonsense
                    furthest = marker;
                }
                if (furthest == lastSeen || vp().isHalted()) {
                    stalls++; // an endless loop or a hlt: move it on
                    resumedAt = next(furthest, resumedAt);
                    if (!resume(resumedAt)) {
                        return new Outcome.Done(faults, stalls);
                    }
                    vp().wake();
                }
                lastSeen = furthest;
                continue;
            }
            HvMessage message = m.get();
            int inPage = slotOf(message);
            if (inPage > furthest && inPage < SLOTS) {
                furthest = inPage;
            }
            if (message.type().equals(HvMessageType.PARVIS_PARTITION_FAILED)) {
                return new Outcome.Failed(PartitionFailedMessage.read(MemorySegment.ofArray(message.payload())).reason(),
                        markerOr(furthest));
            }
            if (isEnd(message) && (furthest >= SLOTS - 2 || resumedAt == SLOTS - 1)) {
                return new Outcome.Done(faults, stalls);
            }
            faults++; // a guest fault, or a stray write to the end port before the last slot
            resumedAt = next(furthest, resumedAt);
            if (!resume(resumedAt)) {
                return new Outcome.Done(faults, stalls);
            }
        }
    }

    /**
     * The slot an intercept's RIP lies in (the sequence that faulted), or -1 when RIP left the page
     * (the sequence jumped away) or the message carries no RIP; the marker decides then.
     */
    private int slotOf(HvMessage m) {
        HvMessageType t = m.type();
        long rip;
        MemorySegment payload = MemorySegment.ofArray(m.payload());
        if (t.equals(HvMessageType.UNMAPPED_GPA) || t.equals(HvMessageType.GPA_INTERCEPT)) {
            rip = MemoryInterceptMessage.read(payload).header().rip();
        } else if (t.equals(HvMessageType.UNRECOVERABLE_EXCEPTION)) {
            rip = UnrecoverableExceptionMessage.read(payload).header().rip();
        } else {
            return -1;
        }
        long offset = rip - (mappedGpn << 12);
        return offset >= 0 && offset < 4096 ? (int) (offset / SLOT) : markerOr(-1);
    }

    private int markerOr(int fallback) {
        int marker = marker();
        return marker >= 0 && marker < SLOTS ? marker : fallback;
    }

    /**
     * The slot after the furthest marker; at least one past the last resume point, so a VP whose
     * state no longer lets even the marker store run (say, a segment register it loaded) still moves on.
     */
    private static int next(int furthest, int resumedAt) {
        // Never past the end slot: a batch must end on the end port, with the VP suspended, never
        // by giving up on a VP that is still running (it would run on into the next batch).
        return resumedAt >= SLOTS - 1 ? SLOTS : Math.min(SLOTS - 1, Math.max(furthest + 1, resumedAt + 1));
    }

    private boolean isEnd(HvMessage m) {
        return m.type().equals(HvMessageType.X64_IO_PORT_INTERCEPT)
                && (IoPortInterceptMessage.read(MemorySegment.ofArray(m.payload())).portNumber() & 0xFFFF) == END_PORT;
    }

    /** Lays out a batch page: slots [0, SLOTS-1) from {@code sequences} (null = NOP filler), then the end slot. */
    static byte[] layout(byte[][] sequences) {
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        for (int slot = 0; slot < SLOTS - 1; slot++) {
            b.position(slot * SLOT);
            b.put(new byte[] {(byte) 0xC7, 0x04, 0x25}).putInt((int) MARKER_GPA).putInt(slot); // mov dword [marker], slot
            b.put(new byte[] {(byte) 0xEB, 0x00}); // jmp +0: the sequence starts a translation block of its own
            byte[] seq = sequences[slot];
            for (int i = 0; i < InstructionGenerator.LENGTH; i++) {
                b.put(seq == null ? (byte) 0x90 : seq[i]);
            }
            b.put(new byte[] {(byte) 0x90, (byte) 0x90, (byte) 0x90});
        }
        b.position((SLOTS - 1) * SLOT);
        b.put(new byte[] {(byte) 0xE6, (byte) END_PORT}); // out END_PORT, al
        while (b.hasRemaining()) {
            b.put((byte) 0xCC);
        }
        return b.array();
    }

    private void load(byte[] page, int from) {
        long[] spa = codePages[batches++ & 1];
        try (RootPageView view = hv.rootMemory().view(spa)) {
            view.write(0, page, 0, page.length);
        }
        long gpn = codeGpn++;
        hc.mapGpaPages(id, gpn, HvMapGpaFlags.READABLE | HvMapGpaFlags.EXECUTABLE, spa);
        if (mappedGpn >= 0) {
            hc.unmapGpaPages(id, mappedGpn, 1);
        }
        mappedGpn = gpn;
        writeMarker(from - 1);
        if (!finalized) {
            setRegisters(from, false);
            hc.finalizePartition(id);
            finalized = true;
        } else {
            setRegisters(from, true);
        }
    }

    /** Points the VP at slot {@code slot} with a fresh RSP and RFLAGS; false past the last slot. */
    private boolean resume(int slot) {
        if (slot >= SLOTS) {
            return false;
        }
        try {
            setRegisters(slot, true);
        } catch (HypercallFailedException e) {
            // The partition failed meanwhile (INVALID_PARTITION_STATE): its failure message is on the way.
        }
        return true;
    }

    private void setRegisters(int slot, boolean release) {
        long rip = (mappedGpn << 12) + (long) slot * SLOT;
        long rsp = (STACK_GPN + STACK_PAGES) << 12;
        RegisterAssoc[] regs = {new RegisterAssoc(HvRegisterName.RSP, rsp - 64, 0),
            new RegisterAssoc(HvRegisterName.RFLAGS, 0x2, 0), new RegisterAssoc(HvRegisterName.RIP, rip, 0),
            new RegisterAssoc(HvRegisterName.INTERCEPT_SUSPEND, 0, 0)};
        hc.setVpRegisters(id, 0, release ? regs : java.util.Arrays.copyOf(regs, regs.length - 1));
    }

    private int marker() {
        return ByteBuffer.wrap(hc.readGpa(id, MARKER_GPA, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private void writeMarker(int value) {
        hc.writeGpa(id, MARKER_GPA, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array());
    }

    private VirtualProcessor vp() {
        return hv.partitions().get(id).vp(0);
    }

    @Override
    public void close() {
        intercepts.unregister(id);
        try {
            hc.deletePartition(id);
        } catch (RuntimeException e) {
            // already gone
        }
        long[] back = hc.withdrawMemory(id, 64);
        if (back.length > 0) {
            hv.rootMemory().free(back);
        }
        hv.rootMemory().free(data);
        hv.rootMemory().free(codePages[0]);
        hv.rootMemory().free(codePages[1]);
    }
}
