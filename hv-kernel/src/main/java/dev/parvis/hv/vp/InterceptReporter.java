package dev.parvis.hv.vp;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.message.InterceptHeader;
import dev.parvis.abi.hv.message.IoPortInterceptMessage;
import dev.parvis.abi.hv.message.MemoryInterceptMessage;
import dev.parvis.abi.hv.message.PartitionFailedMessage;
import dev.parvis.abi.hv.message.SegmentValue;
import dev.parvis.abi.hv.message.UnrecoverableExceptionMessage;
import dev.parvis.hv.backend.SegmentRegister;
import dev.parvis.hv.backend.VpEngine;
import dev.parvis.hv.backend.VpExit;
import dev.parvis.hv.backend.X64Register;
import dev.parvis.hv.partition.Partition;
import dev.parvis.hv.synic.RootInbox;
import dev.parvis.vmcore.RootSynic;
import dev.parvis.vmcore.log.LogBudgets;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Turns guest events the kernel does not handle itself into intercept messages for the root
 * (reference 5.2), and suspends the VP until the root resolves them by clearing its
 * InterceptSuspend register (after mapping a page, say) or deleting it.
 *
 * <p>Intercepts travel in the child's own share of the root's intercept queue. Should that share be
 * full, the report is kept here, in order, and delivered as soon as the root takes one of the
 * child's messages ({@link #retry}); the VP stays suspended meanwhile, as Hyper-V keeps a VP
 * suspended until its intercept is delivered. No report is ever lost and no child's reports can
 * crowd out another's.
 */
public final class InterceptReporter {
    private static final Logger LOG = LoggerFactory.getLogger(InterceptReporter.class);
    private static final X64Register[] HEADER_REGISTERS = {X64Register.RIP, X64Register.RFLAGS, X64Register.RAX};

    private final RootInbox root;
    /** Reports the root's queue could not take yet, per child, oldest first. */
    private final Map<Long, ArrayDeque<HvMessage>> undelivered = new ConcurrentHashMap<>();
    private final LogBudgets budgets = LogBudgets.standard();

    public InterceptReporter(RootInbox root) {
        this.root = root;
    }

    /**
     * The hypervisor can no longer run {@code partition}: its VP's execution engine failed (the CPU
     * emulator aborted, say), or its exit handling threw (out of memory or stack). The partition
     * becomes FAILED, no VP of it runs again, and the root is told why with one
     * PARVIS_PARTITION_FAILED message carrying the reason, in the child's own share of the root's
     * intercept queue like any other report. No VP state is read: the engine may be what failed.
     * The caller has already moved the partition to FAILED ({@link Partition#fail}), once.
     */
    public void partitionFailed(Partition partition, String reason) {
        partition.intercepts().incrementAndGet();
        byte[] payload = bytes(PartitionFailedMessage.LAYOUT.byteSize(), new PartitionFailedMessage(reason)::write);
        deliver(partition.id(), new HvMessage(HvMessageType.PARVIS_PARTITION_FAILED, (byte) 0, partition.id(), payload),
                "partition failed: " + reason);
    }

    /** The root took one of {@code child}'s intercepts: its share has room for the next kept report. */
    public void retry(long child) {
        ArrayDeque<HvMessage> kept = undelivered.get(child);
        if (kept == null) {
            return;
        }
        synchronized (kept) {
            while (!kept.isEmpty() && root.postMessage(child, RootSynic.INTERCEPT_SINT, kept.peekFirst()).isSuccess()) {
                kept.pollFirst();
            }
        }
    }

    /** Drops the kept reports of a deleted partition. */
    public void forget(long child) {
        undelivered.remove(child);
    }

    /** Reports about {@code child} waiting for room in the root's queue. */
    public int undeliveredCount(long child) {
        ArrayDeque<HvMessage> kept = undelivered.get(child);
        if (kept == null) {
            return 0;
        }
        synchronized (kept) {
            return kept.size();
        }
    }

    /** The reports about {@code vp} waiting for room in the root's queue, oldest first. */
    public List<HvMessage> held(VirtualProcessor vp) {
        ArrayDeque<HvMessage> kept = undelivered.get(vp.partition().id());
        if (kept == null) {
            return List.of();
        }
        synchronized (kept) {
            return kept.stream().filter(m -> vpOf(m) == vp.index()).toList();
        }
    }

    /**
     * The reports about {@code vp} the root has not taken yet, oldest first (HvCallGetVpState): those
     * in its queue, then those held for room in it. A save must carry both: the VP is suspended on
     * each, and the queue goes with the partition when the saved one is deleted.
     */
    public List<HvMessage> untaken(VirtualProcessor vp) {
        long child = vp.partition().id();
        ArrayDeque<HvMessage> kept = undelivered.computeIfAbsent(child, c -> new ArrayDeque<>());
        synchronized (kept) { // no retry moves a report from held to queued meanwhile
            List<HvMessage> out = new java.util.ArrayList<>(root.queuedMessages(RootSynic.INTERCEPT_SINT, child).stream()
                    .filter(m -> isReport(m) && vpOf(m) == vp.index()).toList());
            out.addAll(held(vp));
            return out;
        }
    }

    /** Whether {@code m} is one of the reports this class makes (what else sits in the queue is not the VP's). */
    private static boolean isReport(HvMessage m) {
        HvMessageType t = m.type();
        return t.equals(HvMessageType.X64_IO_PORT_INTERCEPT) || t.equals(HvMessageType.UNMAPPED_GPA)
                || t.equals(HvMessageType.GPA_INTERCEPT) || t.equals(HvMessageType.UNRECOVERABLE_EXCEPTION)
                || t.equals(HvMessageType.PARVIS_PARTITION_FAILED);
    }

    /**
     * Makes saved reports about {@code vp} again (HvCallSetVpState): the VP is suspended on them as it
     * was when saved, and they go to the root in their order, as from the VP's partition now, kept
     * here again while the root's queue is full. They were counted when first made.
     */
    public void restoreHeld(VirtualProcessor vp, List<HvMessage> reports) {
        if (reports.isEmpty()) {
            return;
        }
        vp.setInterceptSuspend(true);
        long child = vp.partition().id();
        for (HvMessage m : reports) {
            deliver(child, new HvMessage(m.type(), m.flags(), child, m.payload()), vp + ": restored " + m.type());
        }
    }

    /** The VP a report is about: its intercept header's vp_index; VP 0 for a partition-wide report. */
    public static int vpOf(HvMessage report) {
        if (report.type().equals(HvMessageType.PARVIS_PARTITION_FAILED) || report.payload().length < InterceptHeader.SIZE) {
            return 0;
        }
        return InterceptHeader.read(MemorySegment.ofArray(report.payload())).vpIndex();
    }

    void memoryViolation(VirtualProcessor vp, VpExit.MemoryViolation mv) {
        long[] regs = registers(vp.engine());
        HvMessageType type = mv.mapped() ? HvMessageType.GPA_INTERCEPT : HvMessageType.UNMAPPED_GPA;
        var body = new MemoryInterceptMessage(header(vp, regs, (byte) mv.access().ordinal()), 6, (byte) 0, (byte) 0,
                mv.gpa(), mv.gpa(), new byte[16]);
        report(vp, type, bytes(MemoryInterceptMessage.LAYOUT.byteSize(), body::write),
                "%s at GPA 0x%x (%s) rip=0x%x".formatted(type, mv.gpa(), mv.access(), regs[0]));
    }

    void ioPortWrite(VirtualProcessor vp, VpExit.IoPortWrite io) {
        long[] regs = registers(vp.engine());
        var body = new IoPortInterceptMessage(header(vp, regs, (byte) 1), (short) io.port(), (byte) io.size(), (byte) 0, io.value());
        report(vp, HvMessageType.X64_IO_PORT_INTERCEPT, bytes(IoPortInterceptMessage.LAYOUT.byteSize(), body::write),
                "out 0x%x <- 0x%x".formatted(io.port(), io.value()));
    }

    void unrecoverable(VirtualProcessor vp, int vector, String detail) {
        long[] regs = registers(vp.engine());
        var body = new UnrecoverableExceptionMessage(header(vp, regs, (byte) 2), vector);
        report(vp, HvMessageType.UNRECOVERABLE_EXCEPTION, bytes(UnrecoverableExceptionMessage.LAYOUT.byteSize(), body::write),
                "exception %d: %s".formatted(vector, detail));
    }

    private void report(VirtualProcessor vp, HvMessageType type, byte[] payload, String what) {
        vp.partition().intercepts().incrementAndGet();
        vp.setInterceptSuspend(true);
        long child = vp.partition().id();
        deliver(child, new HvMessage(type, (byte) 0, child, payload), vp + ": " + what);
    }

    /** Posts in the child's share, behind any report still kept for it; keeps it when there is no room. */
    private void deliver(long child, HvMessage message, String what) {
        ArrayDeque<HvMessage> kept = undelivered.computeIfAbsent(child, c -> new ArrayDeque<>());
        HvStatus status;
        synchronized (kept) {
            status = kept.isEmpty() ? root.postMessage(child, RootSynic.INTERCEPT_SINT, message) : HvStatus.INSUFFICIENT_BUFFERS;
            if (!status.isSuccess()) {
                kept.addLast(message);
            }
        }
        budgets.of(child).log(LOG, Level.DEBUG, "intercept {}", what);
        if (!status.isSuccess()) {
            budgets.of(child).warn(LOG, "partition {}: the root's intercept queue is full ({}); held until there is room: {}",
                    child, status, what);
            retry(child);
        }
    }

    private static InterceptHeader header(VirtualProcessor vp, long[] regs, byte accessType) {
        SegmentRegister cs = vp.engine().readSegment(X64Register.CS);
        // Execution state: CPL 0, CR0.PE (bit 2) and EFER.LMA (bit 4): the boot protocol's long mode.
        short executionState = (short) ((1 << 2) | (1 << 4));
        return new InterceptHeader(vp.index(), (byte) 0, accessType, executionState,
                new SegmentValue(cs.base(), cs.limit(), cs.selector(), cs.attributes()), regs[0], regs[1]);
    }

    private static long[] registers(VpEngine engine) {
        long[] values = new long[HEADER_REGISTERS.length];
        engine.readRegisters(HEADER_REGISTERS, values);
        return values;
    }

    private static byte[] bytes(long size, java.util.function.Consumer<MemorySegment> writer) {
        byte[] out = new byte[(int) size];
        writer.accept(MemorySegment.ofArray(out));
        return out;
    }
}
