package dev.parvis.hv.hypercall;

import dev.parvis.abi.hv.HvCallCode;
import dev.parvis.abi.hv.HvPartitionPrivilege;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.HypercallResult;
import dev.parvis.abi.hv.input.PendingMessages;
import dev.parvis.abi.hv.input.VpStateHeader;
import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.memory.PageState;
import dev.parvis.hv.partition.Partition;
import dev.parvis.hv.vp.VirtualProcessor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * HvCallGetVpState and HvCallSetVpState for the VP state the hypervisor keeps outside the guest's
 * RAM: the SIM page and the SIEF page ({@link VpStateHeader#TYPE_SIM_PAGE},
 * {@link VpStateHeader#TYPE_SIEF_PAGE}; one page each) and the messages it holds for or about the VP
 * ({@link VpStateHeader#TYPE_PARVIS_PENDING_MESSAGES}, see {@link PendingMessageState}; up to
 * {@link PendingMessages#MAX_PAGES} pages). The data travels through the root's own pages, named by the
 * PFN list of the variable header. Save/restore uses them: none of it is part of the guest's RAM.
 */
public final class VpStateCalls {
    private final Hypervisor hv;
    private final PendingMessageState pending;

    public VpStateCalls(Hypervisor hv) {
        this.hv = hv;
        this.pending = new PendingMessageState(hv.interceptReporter());
    }

    public void register(HypercallDispatcher d) {
        d.register(HvCallCode.GET_VP_STATE, HvPartitionPrivilege.CREATE_PARTITIONS, ctx -> transfer(ctx, true));
        d.register(HvCallCode.SET_VP_STATE, HvPartitionPrivilege.CREATE_PARTITIONS, ctx -> transfer(ctx, false));
    }

    private HypercallResult transfer(HypercallContext ctx, boolean toCaller) {
        VpStateHeader in = VpStateHeader.read(ctx.input());
        int pages = ctx.control().variableHeaderQwords();
        if (VpStateHeader.reservedBitsSet(ctx.input()) || in.inputVtl() != 0 || in.xsaveFlags() != 0 || in.xsaveStates() != 0
                || !pageCountFits(in.type(), pages)) {
            return HypercallContext.fail(HvStatus.INVALID_PARAMETER);
        }
        Partition p = hv.partitions().liveChild(in.partitionId());
        if (p == null) {
            return HypercallContext.fail(HvStatus.INVALID_PARTITION_ID);
        }
        VirtualProcessor vp = p.vp(in.vpIndex());
        if (vp == null) {
            return HypercallContext.fail(HvStatus.INVALID_VP_INDEX);
        }
        MemorySegment[] rootPages = rootPages(ctx, pages);
        if (rootPages == null) {
            return HypercallContext.fail(HvStatus.INVALID_PARAMETER);
        }
        HvStatus status = p.runner().execute(() -> switch (in.type()) {
            case VpStateHeader.TYPE_PARVIS_PENDING_MESSAGES -> toCaller ? pending.save(vp, rootPages) : pending.restore(vp, rootPages);
            default -> page(vp, in.type() == VpStateHeader.TYPE_SIM_PAGE, rootPages[0], toCaller);
        });
        return status.isSuccess() ? ctx.ok() : HypercallContext.fail(status);
    }

    private static boolean pageCountFits(int type, int pages) {
        return switch (type) {
            case VpStateHeader.TYPE_SIM_PAGE, VpStateHeader.TYPE_SIEF_PAGE -> pages == 1;
            case VpStateHeader.TYPE_PARVIS_PENDING_MESSAGES -> pages >= 1 && pages <= PendingMessages.MAX_PAGES;
            default -> false;
        };
    }

    /** The pages of the PFN list, or null when one is not a page the root holds itself (never a partition's or the hypervisor's). */
    private MemorySegment[] rootPages(HypercallContext ctx, int count) {
        MemorySegment[] out = new MemorySegment[count];
        for (int i = 0; i < count; i++) {
            long pfn = ctx.input().get(ValueLayout.JAVA_LONG_UNALIGNED, VpStateHeader.SIZE + 8L * i);
            if (!hv.pool().contains(pfn) || hv.pool().state(pfn) != PageState.ROOT_ALLOCATED) {
                return null;
            }
            out[i] = hv.pool().pages(pfn, 1);
        }
        return out;
    }

    private static HvStatus page(VirtualProcessor vp, boolean sim, MemorySegment rootPage, boolean toCaller) {
        boolean done = toCaller ? vp.synic().savePage(sim, rootPage) : vp.synic().restorePage(sim, rootPage);
        return done ? HvStatus.SUCCESS : HvStatus.INVALID_VP_INDEX;
    }
}
