package dev.parvis.hv.hypercall;

import dev.parvis.abi.hv.HvCallCode;
import dev.parvis.abi.hv.HvConstants;
import dev.parvis.abi.hv.HvPartitionPrivilege;
import dev.parvis.abi.hv.HvRegisterName;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.HypercallResult;
import dev.parvis.abi.hv.input.CreateVpInput;
import dev.parvis.abi.hv.input.DeleteVpInput;
import dev.parvis.abi.hv.input.RegisterAssoc;
import dev.parvis.abi.hv.input.RegisterValue;
import dev.parvis.abi.hv.input.VpRegistersHeader;
import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.backend.VpEngine;
import dev.parvis.hv.memory.PageStateException;
import dev.parvis.hv.memory.SpaPool;
import dev.parvis.hv.partition.Overlays;
import dev.parvis.hv.partition.Partition;
import dev.parvis.hv.partition.PartitionState;
import dev.parvis.hv.vp.CpuidPolicy;
import dev.parvis.hv.vp.VirtualProcessor;
import dev.parvis.hv.vp.VpCallbacks;
import java.lang.foreign.ValueLayout;

/** Virtual processor calls: CreateVp, DeleteVp, GetVpRegisters, SetVpRegisters. */
public final class VpCalls {
    private final Hypervisor hv;

    public VpCalls(Hypervisor hv) {
        this.hv = hv;
    }

    public void register(HypercallDispatcher d) {
        d.register(HvCallCode.CREATE_VP, HvPartitionPrivilege.CREATE_PARTITIONS, this::createVp);
        d.register(HvCallCode.DELETE_VP, HvPartitionPrivilege.CREATE_PARTITIONS, this::deleteVp);
        d.register(HvCallCode.GET_VP_REGISTERS, 0, this::getRegisters);
        d.register(HvCallCode.SET_VP_REGISTERS, 0, this::setRegisters);
        d.register(HvCallCode.START_VIRTUAL_PROCESSOR, HvPartitionPrivilege.START_VIRTUAL_PROCESSOR, new VpStarter(hv)::start);
    }

    private HypercallResult createVp(HypercallContext ctx) {
        CreateVpInput in = CreateVpInput.read(ctx.input());
        Partition p = hv.partitions().get(in.partitionId());
        if (p == null || p.isRoot() || p.state() == PartitionState.DELETED) {
            return HypercallContext.fail(HvStatus.INVALID_PARTITION_ID);
        }
        if (in.vpIndex() < 0 || in.vpIndex() >= Partition.MAX_VPS) {
            return HypercallContext.fail(HvStatus.INVALID_VP_INDEX);
        }
        if (in.subnodeType() != 0 || in.subnodeId() != 0 || in.flags() != 0) {
            return HypercallContext.fail(HvStatus.INVALID_PARAMETER);
        }
        synchronized (p) {
            if (p.state() != PartitionState.INITIALIZED && p.state() != PartitionState.FINALIZED) {
                return HypercallContext.fail(HvStatus.INVALID_PARTITION_STATE);
            }
            if (p.vp(in.vpIndex()) != null) {
                return HypercallContext.fail(HvStatus.INVALID_VP_INDEX);
            }
            long needed = Partition.BASE_DEPOSIT_PAGES + (long) (p.vpCount() + 1) * Partition.DEPOSIT_PAGES_PER_VP;
            if (hv.pool().depositedTo(p.id()) < needed) {
                return HypercallContext.fail(HvStatus.INSUFFICIENT_MEMORY);
            }
            long sim, sief;
            try {
                // The deposit rule reserved these two pages for every VP: they cannot run out here.
                sim = hv.pool().takeDeposited(p.id());
                sief = hv.pool().takeDeposited(p.id());
            } catch (PageStateException e) {
                throw new IllegalStateException(p + ": the deposit rule was broken: " + e.getMessage(), e);
            }
            VpCallbacks callbacks = new VpCallbacks(p, CpuidPolicy.on(hv.backend(), p.privileges(), Partition.MAX_VPS));
            callbacks.bind(in.vpIndex());
            VpEngine engine = hv.backend().createEngine(callbacks);
            VirtualProcessor vp = new VirtualProcessor(p, in.vpIndex(), engine, hv.pool(), sim, sief);
            callbacks.bindMsrs(new SyntheticMsrs(hv, vp));
            // Only the boot VP starts with the partition; the others wait for HvCallStartVirtualProcessor.
            vp.setStartupSuspend(in.vpIndex() != 0);
            p.setVp(in.vpIndex(), vp);
            p.runner().adopt(vp);
        }
        return ctx.ok();
    }

    private HypercallResult deleteVp(HypercallContext ctx) {
        DeleteVpInput in = DeleteVpInput.read(ctx.input());
        Partition p = hv.partitions().liveChild(in.partitionId());
        if (p == null) {
            return HypercallContext.fail(HvStatus.INVALID_PARTITION_ID);
        }
        VirtualProcessor vp = p.vp(in.vpIndex());
        if (vp == null) {
            return HypercallContext.fail(HvStatus.INVALID_VP_INDEX);
        }
        p.runner().execute(() -> {
            release(hv.pool(), p, vp);
            return null;
        });
        return ctx.ok();
    }

    /**
     * Retires a VP, takes its SIM and SIEF overlays off the GPA space, frees its engine and gives its
     * overlay pages back to the partition's deposit (scrubbed) once no engine can reach them.
     */
    static void release(SpaPool pool, Partition p, VirtualProcessor vp) {
        p.runner().retire(vp);
        p.setVp(vp.index(), null);
        p.runner().execute(() -> {
            p.overlays().remove(new Overlays.Owner(Overlays.Kind.SIM, vp.index()));
            p.overlays().remove(new Overlays.Owner(Overlays.Kind.SIEF, vp.index()));
            syncMemory(p);
            vp.engine().close();
            vp.synic().close();
            try {
                pool.returnToDeposit(vp.simSpn(), p.id());
                pool.returnToDeposit(vp.siefSpn(), p.id());
            } catch (PageStateException e) {
                throw new IllegalStateException(vp + ": overlay page in an unexpected state: " + e.getMessage(), e);
            }
            return null;
        });
    }

    /** Applies the partition's GPA map to every VP engine now; on the run thread. */
    static void syncMemory(Partition p) {
        var regions = p.gpaMap().regions();
        for (VirtualProcessor vp : p.vps()) {
            vp.engine().applyMemoryMap(regions);
        }
    }

    private HypercallResult getRegisters(HypercallContext ctx) {
        return withTarget(ctx, (file, i) -> {
            HvRegisterName name = new HvRegisterName(ctx.inputElement(i).get(ValueLayout.JAVA_INT_UNALIGNED, 0));
            RegisterValue value = file.get(name);
            if (value == null) {
                return false;
            }
            value.write(ctx.outputElement(i));
            return true;
        });
    }

    private HypercallResult setRegisters(HypercallContext ctx) {
        return withTarget(ctx, (file, i) -> {
            RegisterAssoc assoc = RegisterAssoc.read(ctx.inputElement(i));
            return file.set(assoc.name(), assoc.low(), assoc.high());
        });
    }

    private interface ElementAction {
        boolean apply(VpRegisterFile file, int index);
    }

    /**
     * Resolves the target VP and runs the element loop where the VP's state may be touched: inline
     * for the calling VP itself, otherwise on the target partition's run thread.
     */
    private HypercallResult withTarget(HypercallContext ctx, ElementAction action) {
        VpRegistersHeader header = VpRegistersHeader.read(ctx.input());
        boolean self = header.partitionId() == HvConstants.PARTITION_ID_SELF || header.partitionId() == ctx.caller().id();
        // Privilege before existence: a child must not learn which partition ids exist.
        if (!self && !ctx.caller().has(HvPartitionPrivilege.ACCESS_VP_REGISTERS)) {
            return HypercallContext.fail(HvStatus.ACCESS_DENIED);
        }
        Partition target = hv.partitions().resolve(ctx.caller(), header.partitionId());
        if (target == null || target.isRoot() || target.state() == PartitionState.DELETED) {
            return HypercallContext.fail(HvStatus.INVALID_PARTITION_ID);
        }
        if (header.inputVtl() != 0) {
            return HypercallContext.fail(HvStatus.INVALID_PARAMETER);
        }
        if (target.state() == PartitionState.FAILED) {
            // Its execution engine failed: there is no register state left to read or write.
            return HypercallContext.fail(HvStatus.INVALID_PARTITION_STATE);
        }
        VirtualProcessor vp = header.vpIndex() == HvConstants.VP_INDEX_SELF ? ctx.vp() : target.vp(header.vpIndex());
        if (vp == null || (self && ctx.vp() != null && vp.partition() != target)) {
            return HypercallContext.fail(HvStatus.INVALID_VP_INDEX);
        }
        VpRegisterFile file = new VpRegisterFile(hv, vp, ctx.caller().isRoot());
        int start = ctx.repStart();
        int end = ctx.passEnd();
        if (vp == ctx.vp()) {
            return loop(ctx, action, file, start, end);
        }
        // Re-checked on the owner thread: the partition may have failed while the command was queued.
        return target.runner().execute(() -> target.state() == PartitionState.FAILED
                ? HypercallContext.fail(HvStatus.INVALID_PARTITION_STATE) : loop(ctx, action, file, start, end));
    }

    private static HypercallResult loop(HypercallContext ctx, ElementAction action, VpRegisterFile file, int start, int end) {
        for (int i = start; i < end; i++) {
            if (!action.apply(file, i)) {
                return ctx.reps(HvStatus.INVALID_PARAMETER, i);
            }
        }
        return ctx.reps(HvStatus.SUCCESS, end);
    }
}
