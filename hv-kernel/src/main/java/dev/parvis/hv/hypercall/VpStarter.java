package dev.parvis.hv.hypercall;

import dev.parvis.abi.hv.HvConstants;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.HypercallResult;
import dev.parvis.abi.hv.input.InitialVpContext;
import dev.parvis.abi.hv.input.StartVirtualProcessorInput;
import dev.parvis.abi.hv.message.SegmentValue;
import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.backend.SegmentRegister;
import dev.parvis.hv.backend.TableRegister;
import dev.parvis.hv.backend.VpEngine;
import dev.parvis.hv.backend.X64Register;
import dev.parvis.hv.partition.Partition;
import dev.parvis.hv.partition.PartitionState;
import dev.parvis.hv.vp.VirtualProcessor;
import java.util.List;

/**
 * HvCallStartVirtualProcessor: gives a VP that waits for start-up (every VP but the boot VP, see
 * InternalActivityState) its initial context and lets it run. A Parvis VP runs in the boot
 * protocol's mode, so the context's segment, table and control registers must be the ones the
 * waiting VP already holds (the SDK copies them from the boot protocol); RIP, RSP and RFLAGS are
 * the guest's choice. The caller starts VPs of its own partition (or the root, of any child).
 */
final class VpStarter {
    private static final List<X64Register> SEGMENTS = List.of(X64Register.CS, X64Register.DS, X64Register.ES, X64Register.FS,
            X64Register.GS, X64Register.SS, X64Register.TR, X64Register.LDTR);

    private final Hypervisor hv;

    VpStarter(Hypervisor hv) {
        this.hv = hv;
    }

    HypercallResult start(HypercallContext ctx) {
        StartVirtualProcessorInput in = StartVirtualProcessorInput.read(ctx.input());
        Partition target = hv.partitions().resolve(ctx.caller(), in.partitionId());
        boolean self = in.partitionId() == HvConstants.PARTITION_ID_SELF || in.partitionId() == ctx.caller().id();
        if (target == null || target.isRoot() || target.state() == PartitionState.DELETED || (!self && !ctx.caller().isRoot())) {
            return HypercallContext.fail(HvStatus.INVALID_PARTITION_ID);
        }
        if (in.targetVtl() != 0) {
            return HypercallContext.fail(HvStatus.INVALID_PARAMETER);
        }
        VirtualProcessor vp = target.vp(in.vpIndex());
        if (vp == null || vp == ctx.vp()) {
            return HypercallContext.fail(HvStatus.INVALID_VP_INDEX);
        }
        return target.runner().execute(() -> {
            if (!vp.startupSuspended()) {
                return HypercallContext.fail(HvStatus.INVALID_VP_STATE);
            }
            if (!modeMatches(vp.engine(), in.context())) {
                return HypercallContext.fail(HvStatus.INVALID_PARAMETER);
            }
            VpEngine engine = vp.engine();
            engine.writeRegister(X64Register.RIP, in.context().rip());
            engine.writeRegister(X64Register.RSP, in.context().rsp());
            engine.writeRegister(X64Register.RFLAGS, in.context().rflags());
            vp.setStartupSuspend(false);
            return ctx.ok();
        });
    }

    /** The context describes the state the VP is in: same segments, tables, CR0, CR3, CR4 and EFER. */
    private static boolean modeMatches(VpEngine engine, InitialVpContext c) {
        for (int i = 0; i < SEGMENTS.size(); i++) {
            SegmentRegister held = engine.readSegment(SEGMENTS.get(i));
            SegmentValue asked = c.segments().get(i);
            if (held.selector() != asked.selector() || held.attributes() != asked.attributes()
                    || (SEGMENTS.get(i) != X64Register.FS && SEGMENTS.get(i) != X64Register.GS && held.base() != asked.base())) {
                return false;
            }
        }
        TableRegister idt = engine.readTable(X64Register.IDTR);
        TableRegister gdt = engine.readTable(X64Register.GDTR);
        return idt.base() == c.idtr().base() && (idt.limit() & 0xFFFF) == (c.idtr().limit() & 0xFFFF)
                && gdt.base() == c.gdtr().base() && (gdt.limit() & 0xFFFF) == (c.gdtr().limit() & 0xFFFF)
                && engine.readRegister(X64Register.CR0) == c.cr0() && engine.readRegister(X64Register.CR3) == c.cr3()
                && engine.readRegister(X64Register.CR4) == c.cr4() && engine.readRegister(X64Register.EFER) == c.efer();
    }
}
