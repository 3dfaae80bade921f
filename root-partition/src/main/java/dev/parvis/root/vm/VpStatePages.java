package dev.parvis.root.vm;

import dev.parvis.abi.hv.input.VpStateHeader;
import dev.parvis.vmcore.RootHypercalls;
import dev.parvis.vmcore.RootPageView;
import dev.parvis.vmcore.RootPhysicalMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Reads and writes a VP's SIM and SIEF pages with HvCallGetVpState/HvCallSetVpState, through one
 * page of the root's own memory (the call's PFN list names it), for save and restore.
 */
final class VpStatePages {
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
                    get(partitionId, vp, VpStateHeader.TYPE_SIEF_PAGE, page));
        } finally {
            memory.free(page);
        }
    }

    void write(long partitionId, int vp, VpSynicPages pages) {
        long[] page = memory.allocate(1);
        try {
            set(partitionId, vp, VpStateHeader.TYPE_SIM_PAGE, page, pages.sim());
            set(partitionId, vp, VpStateHeader.TYPE_SIEF_PAGE, page, pages.sief());
        } finally {
            memory.free(page);
        }
    }

    private byte[] get(long partitionId, int vp, int type, long[] page) {
        hc.getVpState(partitionId, vp, type, page[0]);
        try (RootPageView view = memory.view(page)) {
            return view.page(0).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    private void set(long partitionId, int vp, int type, long[] page, byte[] contents) {
        try (RootPageView view = memory.view(page)) {
            MemorySegment.copy(contents, 0, view.page(0), ValueLayout.JAVA_BYTE, 0, contents.length);
        }
        hc.setVpState(partitionId, vp, type, page[0]);
    }
}
