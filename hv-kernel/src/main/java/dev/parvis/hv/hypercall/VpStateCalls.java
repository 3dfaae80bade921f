package dev.parvis.hv.hypercall;

import dev.parvis.abi.hv.HvCallCode;
import dev.parvis.abi.hv.HvPartitionPrivilege;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.HypercallResult;
import dev.parvis.abi.hv.input.VpStateHeader;
import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.memory.PageState;
import dev.parvis.hv.partition.Partition;
import dev.parvis.hv.vp.VirtualProcessor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * HvCallGetVpState and HvCallSetVpState for the VP state that lives in hypervisor pages: the SIM
 * page and the SIEF page (types {@link VpStateHeader#TYPE_SIM_PAGE}, {@link VpStateHeader#TYPE_SIEF_PAGE}).
 * The data travels through one of the root's own pages, named by the single PFN of the variable
 * header. Save/restore uses them: the overlay pages are not part of the guest's RAM, and keep their
 * contents while disabled.
 */
public final class VpStateCalls {
    private final Hypervisor hv;

    public VpStateCalls(Hypervisor hv) {
        this.hv = hv;
    }

    public void register(HypercallDispatcher d) {
        d.register(HvCallCode.GET_VP_STATE, HvPartitionPrivilege.CREATE_PARTITIONS, ctx -> transfer(ctx, true));
        d.register(HvCallCode.SET_VP_STATE, HvPartitionPrivilege.CREATE_PARTITIONS, ctx -> transfer(ctx, false));
    }

    private HypercallResult transfer(HypercallContext ctx, boolean toCaller) {
        VpStateHeader in = VpStateHeader.read(ctx.input());
        if (VpStateHeader.reservedBitsSet(ctx.input()) || in.inputVtl() != 0 || in.xsaveFlags() != 0 || in.xsaveStates() != 0
                || (in.type() != VpStateHeader.TYPE_SIM_PAGE && in.type() != VpStateHeader.TYPE_SIEF_PAGE)
                || ctx.control().variableHeaderQwords() != 1) {
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
        long pfn = ctx.input().get(ValueLayout.JAVA_LONG_UNALIGNED, VpStateHeader.SIZE);
        // Only a page the root holds itself: the PFN must not name a page of a partition or of the hypervisor.
        if (!hv.pool().contains(pfn) || hv.pool().state(pfn) != PageState.ROOT_ALLOCATED) {
            return HypercallContext.fail(HvStatus.INVALID_PARAMETER);
        }
        MemorySegment rootPage = hv.pool().pages(pfn, 1);
        boolean sim = in.type() == VpStateHeader.TYPE_SIM_PAGE;
        boolean done = p.runner().execute(() -> toCaller ? vp.synic().savePage(sim, rootPage) : vp.synic().restorePage(sim, rootPage));
        return done ? ctx.ok() : HypercallContext.fail(HvStatus.INVALID_VP_INDEX);
    }
}
