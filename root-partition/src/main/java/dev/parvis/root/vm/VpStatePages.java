package dev.parvis.root.vm;

import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.input.PendingMessages;
import dev.parvis.abi.hv.input.VpStateHeader;
import dev.parvis.vmcore.HypercallFailedException;
import dev.parvis.vmcore.RootHypercalls;
import dev.parvis.vmcore.RootPageView;
import dev.parvis.vmcore.RootPhysicalMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Reads and writes a VP's SynIC state with HvCallGetVpState/HvCallSetVpState, through pages of the
 * root's own memory (the call's PFN list names them), for save and restore: the SIM and SIEF pages,
 * and the messages the hypervisor holds for the VP outside them (queued behind busy SIM slots, or
 * intercept reports about the VP that the root has not taken: in its queue, or held for room in it),
 * which a save would otherwise lose.
 */
final class VpStatePages {
    private static final int PAGE = 4096;

    private final RootHypercalls hc;
    private final RootPhysicalMemory memory;

    VpStatePages(RootHypercalls hc, RootPhysicalMemory memory) {
        this.hc = hc;
        this.memory = memory;
    }

    VpSynicPages read(long partitionId, int vp) {
        long[] page = memory.allocate(1);
        try {
            return new VpSynicPages(get(partitionId, vp, VpStateHeader.TYPE_SIM_PAGE, page),
                    get(partitionId, vp, VpStateHeader.TYPE_SIEF_PAGE, page), pending(partitionId, vp, page));
        } finally {
            memory.free(page);
        }
    }

    /** The SIM page first: the held messages are queued behind its busy slots again, in their order. */
    void write(long partitionId, int vp, VpSynicPages pages) {
        long[] page = memory.allocate(1);
        try {
            set(partitionId, vp, VpStateHeader.TYPE_SIM_PAGE, page, pages.sim());
            set(partitionId, vp, VpStateHeader.TYPE_SIEF_PAGE, page, pages.sief());
        } finally {
            memory.free(page);
        }
        if (pages.pending().length > 0) {
            long[] buffer = memory.allocate(pagesFor(pages.pending().length));
            try {
                set(partitionId, vp, VpStateHeader.TYPE_PARVIS_PENDING_MESSAGES, buffer, pages.pending());
            } finally {
                memory.free(buffer);
            }
        }
    }

    /**
     * The held messages, as PendingMessages bytes (empty when none): one page first, and when the
     * hypervisor answers INSUFFICIENT_BUFFER its header says how many entries there are.
     */
    private byte[] pending(long partitionId, int vp, long[] page) {
        try {
            byte[] one = get(partitionId, vp, VpStateHeader.TYPE_PARVIS_PENDING_MESSAGES, page);
            return trimmed(one);
        } catch (HypercallFailedException e) {
            if (!e.status().equals(HvStatus.INSUFFICIENT_BUFFER)) {
                throw e;
            }
        }
        long count;
        try (RootPageView view = memory.view(page)) {
            count = PendingMessages.announcedCount(view.page(0));
        }
        int pages = pagesFor(PendingMessages.HEADER_SIZE + count * PendingMessages.ENTRY_SIZE);
        if (pages > PendingMessages.MAX_PAGES) {
            throw new IllegalStateException("VP %d holds %d pending messages, more than a save can carry".formatted(vp, count));
        }
        long[] buffer = memory.allocate(pages);
        try {
            return trimmed(get(partitionId, vp, VpStateHeader.TYPE_PARVIS_PENDING_MESSAGES, buffer));
        } finally {
            memory.free(buffer);
        }
    }

    /** Header and entries only; nothing at all when there are no entries. */
    private static byte[] trimmed(byte[] buffer) {
        long count = PendingMessages.announcedCount(MemorySegment.ofArray(buffer));
        return count == 0 ? new byte[0]
                : java.util.Arrays.copyOf(buffer, (int) (PendingMessages.HEADER_SIZE + count * PendingMessages.ENTRY_SIZE));
    }

    private static int pagesFor(long bytes) {
        return (int) Math.max(1, (bytes + PAGE - 1) / PAGE);
    }

    private byte[] get(long partitionId, int vp, int type, long[] pages) {
        hc.getVpState(partitionId, vp, type, pages);
        byte[] out = new byte[pages.length * PAGE];
        try (RootPageView view = memory.view(pages)) {
            for (int i = 0; i < pages.length; i++) {
                MemorySegment.copy(view.page(i), ValueLayout.JAVA_BYTE, 0, out, i * PAGE, PAGE);
            }
        }
        return out;
    }

    private void set(long partitionId, int vp, int type, long[] pages, byte[] contents) {
        try (RootPageView view = memory.view(pages)) {
            for (int i = 0; i < pages.length; i++) {
                view.page(i).fill((byte) 0);
            }
            view.write(0, contents, 0, contents.length);
        }
        hc.setVpState(partitionId, vp, type, pages);
    }
}
