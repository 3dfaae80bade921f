package dev.parvis.hv.synic;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.HvSynic;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The SynIC of one child VP: its synthetic registers, the message slots in its SIM page, the event
 * flags in its SIEF page, and the per-SINT queues behind busy slots. The SIM and SIEF pages are the
 * VP's own hypervisor pages (TLFS: overlay pages, zeroed when the VP is created, kept while it
 * lives); the guest sees them where SIMP and SIEFP place them, and the hypervisor writes only them,
 * never the guest's RAM.
 *
 * <p>The slot protocol (reference 5.3): the hypervisor writes a slot only when its message type is
 * zero, writing the type last; the guest copies the message, clears the type, fences and sends EOM
 * if the pending flag was set. When a slot is busy the hypervisor queues the message, sets the
 * pending flag and re-checks the type, so a slot freed concurrently is never left idle.
 */
public final class VpSynic implements SynicTarget {
    /** Messages one sender may have queued behind one busy slot before it gets INSUFFICIENT_BUFFERS. */
    public static final int QUEUE_DEPTH = 16;
    private static final int SLOT_SIZE = 256;
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final int PENDING_BIT_IN_WORD1 = HvMessage.FLAG_PENDING << 8;

    private final MemorySegment simPage;
    private final MemorySegment siefPage;
    private final Runnable wake;
    private long scontrol = HvSynic.SCONTROL_ENABLE;
    private long simp;
    private long siefp;
    private final long[] sints = new long[HvSynic.SINT_COUNT];
    @SuppressWarnings("unchecked")
    private final FairQueue<HvMessage>[] queues = new FairQueue[HvSynic.SINT_COUNT];
    private long delivered;
    private boolean closed;

    /** The VP gets its own 4096-byte SIM and SIEF pages, zeroed. */
    public VpSynic(MemorySegment simPage, MemorySegment siefPage, Runnable wake) {
        if (simPage.byteSize() != 4096 || siefPage.byteSize() != 4096) {
            throw new IllegalArgumentException("SIM and SIEF pages are one page each");
        }
        this.simPage = simPage;
        this.siefPage = siefPage;
        this.wake = wake;
        for (int i = 0; i < sints.length; i++) {
            sints[i] = HvSynic.SINT_MASKED;
            queues[i] = new FairQueue<>(QUEUE_DEPTH);
        }
    }

    /** HvCallGetVpState: copies the SIM page ({@code sim}) or the SIEF page into {@code to}; false once closed. */
    public synchronized boolean savePage(boolean sim, MemorySegment to) {
        if (closed) {
            return false;
        }
        MemorySegment.copy(sim ? simPage : siefPage, 0, to, 0, 4096);
        return true;
    }

    /** HvCallSetVpState: the SIM or SIEF page becomes {@code from}, and what waits behind a freed slot is delivered. */
    public synchronized boolean restorePage(boolean sim, MemorySegment from) {
        if (closed) {
            return false;
        }
        MemorySegment.copy(from, 0, sim ? simPage : siefPage, 0, 4096);
        flushAll();
        return true;
    }

    /**
     * The VP is going away and its pages go back to the deposit: from now on nothing is written
     * into them (a sender that looked the VP up just before keeps its message undelivered).
     */
    public synchronized void close() {
        closed = true;
        for (FairQueue<HvMessage> q : queues) {
            while (!q.isEmpty()) {
                q.poll();
            }
        }
    }

    public synchronized long scontrol() {
        return scontrol;
    }

    public synchronized long simp() {
        return simp;
    }

    public synchronized long siefp() {
        return siefp;
    }

    public synchronized long sint(int n) {
        return sints[n];
    }

    public synchronized long deliveredCount() {
        return delivered;
    }

    public synchronized void setScontrol(long value) {
        scontrol = value & HvSynic.SCONTROL_ENABLE;
        flushAll();
    }

    public synchronized void setSimp(long value) {
        simp = value;
        flushAll();
    }

    public synchronized void setSiefp(long value) {
        siefp = value;
    }

    /** Writes a SINT register; false when reserved bits are set or the vector is invalid. */
    public synchronized boolean setSint(int n, long value) {
        long known = HvSynic.SINT_VECTOR_MASK | HvSynic.SINT_MASKED | HvSynic.SINT_AUTO_EOI | HvSynic.SINT_POLLING;
        long vector = value & HvSynic.SINT_VECTOR_MASK;
        boolean masked = (value & HvSynic.SINT_MASKED) != 0;
        if ((value & ~known) != 0 || (!masked && vector < HvSynic.FIRST_VALID_VECTOR)) {
            return false;
        }
        sints[n] = value;
        flush(n);
        return true;
    }

    /** End of message: re-attempt delivery of every queued message. */
    public synchronized void endOfMessage() {
        flushAll();
    }

    @Override
    public synchronized HvStatus postMessage(long sender, int sint, HvMessage message) {
        FairQueue<HvMessage> queue = queues[sint];
        if (queue.isEmpty() && tryWrite(sint, message)) {
            return HvStatus.SUCCESS;
        }
        if (closed || !queue.offer(sender, message)) {
            return HvStatus.INSUFFICIENT_BUFFERS;
        }
        flush(sint);
        return HvStatus.SUCCESS;
    }

    /** Drops what a deleted partition still had queued here. */
    public synchronized void forgetSender(long sender) {
        for (FairQueue<HvMessage> q : queues) {
            q.removeSender(sender);
        }
    }

    @Override
    public synchronized boolean signalEvent(int sint, int flag) {
        if (closed || !enabled(siefp) || (scontrol & HvSynic.SCONTROL_ENABLE) == 0) {
            return false;
        }
        MemorySegment word = siefPage.asSlice((long) sint * HvSynic.EVENT_FLAGS_BYTES_PER_SINT + (flag >>> 5) * 4L, 4);
        int bit = 1 << (flag & 31);
        int old = (int) INT.getAndBitwiseOr(word, 0L, bit);
        boolean newlySet = (old & bit) == 0;
        if (newlySet && (sints[sint] & HvSynic.SINT_MASKED) == 0) {
            wake.run();
        }
        return newlySet;
    }

    /** True when some SINT has a queued message (the VP should not sleep through it). */
    public synchronized boolean hasQueuedMessages() {
        for (FairQueue<HvMessage> q : queues) {
            if (!q.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Re-attempts delivery on every SINT; a safety net the VP runs before it halts. */
    public synchronized void flushAll() {
        for (int i = 0; i < queues.length; i++) {
            flush(i);
        }
    }

    private void flush(int sint) {
        FairQueue<HvMessage> queue = queues[sint];
        while (!queue.isEmpty()) {
            // A busy slot gets the pending flag, then one more look: the guest may have freed it
            // between our check and the flag, without seeing the flag (it then sends no EOM).
            if (tryWrite(sint, queue.peek()) || (markPending(sint) && tryWrite(sint, queue.peek()))) {
                queue.poll();
            } else {
                return;
            }
        }
    }

    private boolean tryWrite(int sint, HvMessage message) {
        MemorySegment slot = slot(sint);
        if (slot == null || (sints[sint] & HvSynic.SINT_MASKED) != 0 || (int) INT.getAcquire(slot, 0L) != 0) {
            return false;
        }
        MemorySegment image = MemorySegment.ofArray(new byte[SLOT_SIZE]);
        message.write(image);
        // Everything but the type first, then publish the type with release semantics.
        MemorySegment.copy(image, 4, slot, 4, SLOT_SIZE - 4);
        INT.setRelease(slot, 0L, image.get(ValueLayout.JAVA_INT_UNALIGNED, 0));
        delivered++;
        wake.run();
        return true;
    }

    /** Sets the pending flag of an occupied, deliverable slot; false when the slot cannot take messages now. */
    private boolean markPending(int sint) {
        MemorySegment slot = slot(sint);
        if (slot == null || (sints[sint] & HvSynic.SINT_MASKED) != 0) {
            return false;
        }
        if ((int) INT.getAcquire(slot, 0L) != 0) {
            INT.getAndBitwiseOr(slot, 4L, PENDING_BIT_IN_WORD1);
        }
        VarHandle.fullFence();
        return true;
    }

    private MemorySegment slot(int sint) {
        if (closed || (scontrol & HvSynic.SCONTROL_ENABLE) == 0 || !enabled(simp)) {
            return null;
        }
        return simPage.asSlice((long) sint * SLOT_SIZE, SLOT_SIZE);
    }

    private static boolean enabled(long pageRegister) {
        return (pageRegister & 1) != 0;
    }
}
