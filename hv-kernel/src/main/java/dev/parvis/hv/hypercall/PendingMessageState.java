package dev.parvis.hv.hypercall;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.input.PendingMessages;
import dev.parvis.hv.synic.VpSynic;
import dev.parvis.hv.vp.InterceptReporter;
import dev.parvis.hv.vp.VirtualProcessor;
import dev.parvis.vmcore.RootSynic;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * VP state type {@code TYPE_PARVIS_PENDING_MESSAGES}: the messages the hypervisor holds for or about
 * one VP that are in none of its pages, so that a save taken during a burst loses none of them.
 * Two kinds: messages queued behind the VP's busy SIM slots (the root's VMBus answers, say, which
 * the sender counts as delivered), and the VP's intercept reports the root has not taken yet, in its
 * queue or kept while that was full (the VP is suspended on them; the queue goes with the saved
 * partition). Get copies both out in delivery order; Set, on a VP whose
 * queues are still empty (after its SIM page was restored), queues the first kind again and makes
 * the second again: the VP suspended on them, the reports posted to the root from this partition.
 * The caller's pages are one buffer in PFN-list order ({@link PendingMessages}).
 */
final class PendingMessageState {
    private static final int PAGE = 4096;

    private final InterceptReporter intercepts;

    PendingMessageState(InterceptReporter intercepts) {
        this.intercepts = intercepts;
    }

    HvStatus save(VirtualProcessor vp, MemorySegment[] rootPages) {
        List<PendingMessages.Entry> entries = new ArrayList<>();
        for (VpSynic.Queued q : vp.synic().queued()) {
            entries.add(new PendingMessages.Entry(PendingMessages.KIND_QUEUED, q.sint(), q.sender(), q.message()));
        }
        for (HvMessage report : intercepts.untaken(vp)) {
            entries.add(new PendingMessages.Entry(PendingMessages.KIND_INTERCEPT, RootSynic.INTERCEPT_SINT, vp.partition().id(), report));
        }
        PendingMessages state = new PendingMessages(entries);
        if (state.byteSize() > (long) rootPages.length * PAGE) {
            PendingMessages.writeHeader(rootPages[0], entries.size());
            return HvStatus.INSUFFICIENT_BUFFER;
        }
        MemorySegment buffer = MemorySegment.ofArray(new byte[rootPages.length * PAGE]);
        state.write(buffer);
        for (int i = 0; i < rootPages.length; i++) {
            MemorySegment.copy(buffer, (long) i * PAGE, rootPages[i], 0, PAGE);
        }
        return HvStatus.SUCCESS;
    }

    HvStatus restore(VirtualProcessor vp, MemorySegment[] rootPages) {
        MemorySegment buffer = MemorySegment.ofArray(new byte[rootPages.length * PAGE]);
        for (int i = 0; i < rootPages.length; i++) {
            MemorySegment.copy(rootPages[i], 0, buffer, (long) i * PAGE, PAGE);
        }
        PendingMessages state;
        try {
            state = PendingMessages.read(buffer);
        } catch (IllegalArgumentException e) {
            return HvStatus.INVALID_PARAMETER;
        }
        List<VpSynic.Queued> queued = new ArrayList<>();
        List<HvMessage> reports = new ArrayList<>();
        for (PendingMessages.Entry e : state.entries()) {
            if (e.kind() == PendingMessages.KIND_QUEUED) {
                queued.add(new VpSynic.Queued(e.sint(), e.sender(), e.message()));
            } else if (e.sint() == RootSynic.INTERCEPT_SINT && InterceptReporter.vpOf(e.message()) == vp.index()) {
                reports.add(e.message());
            } else {
                return HvStatus.INVALID_PARAMETER; // a report about another VP, or for another SINT
            }
        }
        HvStatus status = vp.synic().requeue(queued);
        if (status.isSuccess()) {
            intercepts.restoreHeld(vp, reports);
        }
        return status;
    }
}
