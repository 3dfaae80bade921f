package dev.parvis.hv.hypercall;

import dev.parvis.abi.hv.HvCallCode;
import dev.parvis.abi.hv.HvInterceptType;
import dev.parvis.abi.hv.HvPartitionPrivilege;
import dev.parvis.abi.hv.HvPartitionProperty;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.HypercallResult;
import dev.parvis.abi.hv.input.CreatePartitionInput;
import dev.parvis.abi.hv.input.GetPartitionPropertyInput;
import dev.parvis.abi.hv.input.InstallInterceptInput;
import dev.parvis.abi.hv.input.PartitionIdValue;
import dev.parvis.abi.hv.input.PartitionPropertyValue;
import dev.parvis.abi.hv.input.SetPartitionPropertyInput;
import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.memory.PageStateException;
import dev.parvis.hv.partition.Partition;
import dev.parvis.hv.partition.PartitionState;
import dev.parvis.hv.partition.PartitionTable;
import dev.parvis.hv.sched.CpuSharePolicy;
import dev.parvis.hv.vp.VirtualProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Partition lifecycle and properties: Create, Initialize, Finalize, Delete, Get/SetProperty, GetPartitionId, InstallIntercept. */
public final class PartitionCalls {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionCalls.class);
    /** CreatePartition flags Parvis accepts (none of the optional features are modelled yet). */
    private static final long KNOWN_CREATE_FLAGS = 0;

    private final Hypervisor hv;

    public PartitionCalls(Hypervisor hv) {
        this.hv = hv;
    }

    public void register(HypercallDispatcher d) {
        long create = HvPartitionPrivilege.CREATE_PARTITIONS;
        d.register(HvCallCode.CREATE_PARTITION, create, this::create);
        d.register(HvCallCode.INITIALIZE_PARTITION, create, this::initialize);
        d.register(HvCallCode.FINALIZE_PARTITION, create, this::finalizePartition);
        d.register(HvCallCode.DELETE_PARTITION, create, this::delete);
        d.register(HvCallCode.GET_PARTITION_PROPERTY, create, this::getProperty);
        d.register(HvCallCode.SET_PARTITION_PROPERTY, create, this::setProperty);
        d.register(HvCallCode.GET_PARTITION_ID, HvPartitionPrivilege.ACCESS_PARTITION_ID, this::partitionId);
        d.register(HvCallCode.INSTALL_INTERCEPT, create, this::installIntercept);
    }

    private HypercallResult create(HypercallContext ctx) {
        CreatePartitionInput in = CreatePartitionInput.read(ctx.input());
        if ((in.flags() & ~KNOWN_CREATE_FLAGS) != 0 || in.isolationProperties() != 0) {
            return HypercallContext.fail(HvStatus.INVALID_PARAMETER);
        }
        if (hv.partitions().childCount() >= PartitionTable.MAX_CHILDREN) {
            return HypercallContext.fail(HvStatus.INSUFFICIENT_MEMORY);
        }
        Partition child = hv.newChild(HvPartitionPrivilege.GUEST_DEFAULT);
        new PartitionIdValue(child.id()).write(ctx.output());
        LOG.debug("created {}", child);
        return ctx.ok();
    }

    private HypercallResult initialize(HypercallContext ctx) {
        Partition p = child(ctx);
        if (p == null) {
            return HypercallContext.fail(HvStatus.INVALID_PARTITION_ID);
        }
        synchronized (p) {
            if (p.state() != PartitionState.CREATED) {
                return HypercallContext.fail(HvStatus.INVALID_PARTITION_STATE);
            }
            if (hv.pool().depositedTo(p.id()) < Partition.BASE_DEPOSIT_PAGES) {
                return HypercallContext.fail(HvStatus.INSUFFICIENT_MEMORY);
            }
            p.setState(PartitionState.INITIALIZED);
        }
        return ctx.ok();
    }

    private HypercallResult finalizePartition(HypercallContext ctx) {
        Partition p = child(ctx);
        if (p == null) {
            return HypercallContext.fail(HvStatus.INVALID_PARTITION_ID);
        }
        synchronized (p) {
            if (p.state() != PartitionState.INITIALIZED) {
                return HypercallContext.fail(HvStatus.INVALID_PARTITION_STATE);
            }
            p.setState(PartitionState.FINALIZED);
        }
        p.runner().start();
        return ctx.ok();
    }

    private HypercallResult delete(HypercallContext ctx) {
        Partition p = child(ctx);
        if (p == null) {
            return HypercallContext.fail(HvStatus.INVALID_PARTITION_ID);
        }
        teardown(hv, p);
        return ctx.ok();
    }

    /** Stops the partition, frees its VPs, scrubs and returns its memory and drops its ports. Idempotent. */
    public static void teardown(Hypervisor hv, Partition p) {
        synchronized (p) {
            if (p.state() == PartitionState.DELETED) {
                return;
            }
            p.setState(PartitionState.DELETED);
        }
        p.runner().stop();
        StatsCalls.release(hv, p);
        for (VirtualProcessor vp : p.vps()) {
            VpCalls.release(hv.pool(), p, vp);
        }
        OverlayRegisters.releaseHypercallPage(hv.pool(), p);
        releaseRam(hv, p, p.gpaMap().unmapAll());
        hv.ports().removePartition(p.id());
        forgetQueued(hv, p.id());
        if (hv.pool().depositedTo(p.id()) == 0) {
            hv.partitions().remove(p.id());
        }
        LOG.debug("deleted {}", p);
    }

    /** Gives the deleted partition's RAM back to the root at once; a page in an unexpected state is logged and kept. */
    private static void releaseRam(Hypervisor hv, Partition p, long[] spns) {
        try {
            hv.pool().releaseFromGuest(spns, p.id());
            return;
        } catch (PageStateException e) {
            LOG.error("{}: its RAM could not be released at once ({}); page by page", p, e.getMessage());
        }
        for (long spn : spns) {
            try {
                hv.pool().releaseFromGuest(spn, p.id());
            } catch (PageStateException e) {
                LOG.error("{}: page 0x{} in an unexpected state", p, Long.toHexString(spn), e);
            }
        }
    }

    /** Drops what the deleted partition still had queued for the root or for other children, and its kept intercepts. */
    private static void forgetQueued(Hypervisor hv, long id) {
        hv.rootInbox().forgetChild(id);
        hv.interceptReporter().forget(id);
        for (Partition other : hv.partitions().all()) {
            if (!other.isRoot()) {
                for (VirtualProcessor vp : other.vps()) {
                    vp.synic().forgetSender(id);
                }
            }
        }
        hv.debugListener().partitionGone(id);
    }

    private HypercallResult getProperty(HypercallContext ctx) {
        GetPartitionPropertyInput in = GetPartitionPropertyInput.read(ctx.input());
        Partition p = hv.partitions().resolve(ctx.caller(), in.partitionId());
        if (p == null || p.state() == PartitionState.DELETED) {
            return HypercallContext.fail(HvStatus.INVALID_PARTITION_ID);
        }
        long value;
        switch (in.propertyCode()) {
            case HvPartitionProperty.PRIVILEGE_FLAGS -> value = p.privileges();
            case HvPartitionProperty.GUEST_OS_ID -> value = p.guestOsId();
            case HvPartitionProperty.PROCESSOR_VENDOR -> value = 1;
            case HvPartitionProperty.REFERENCE_TIME -> value = p.isRoot() ? 0 : p.referenceTime();
            case HvPartitionProperty.TIME_FREEZE, HvPartitionProperty.SUSPEND, HvPartitionProperty.CPU_WEIGHT,
                    HvPartitionProperty.CPU_RESERVE, HvPartitionProperty.CPU_CAP -> {
                if (p.isRoot()) {
                    return HypercallContext.fail(HvStatus.UNKNOWN_PROPERTY);
                }
                value = switch (in.propertyCode()) {
                    case HvPartitionProperty.TIME_FREEZE -> p.isTimeFrozen() ? 1 : 0;
                    case HvPartitionProperty.SUSPEND -> p.isSuspended() ? 1 : 0;
                    case HvPartitionProperty.CPU_WEIGHT -> p.runner().cpu().weight();
                    case HvPartitionProperty.CPU_RESERVE -> p.runner().cpu().reserve();
                    default -> p.runner().cpu().cap();
                };
            }
            default -> {
                return HypercallContext.fail(HvStatus.UNKNOWN_PROPERTY);
            }
        }
        new PartitionPropertyValue(value).write(ctx.output());
        return ctx.ok();
    }

    private HypercallResult setProperty(HypercallContext ctx) {
        SetPartitionPropertyInput in = SetPartitionPropertyInput.read(ctx.input());
        Partition p = hv.partitions().resolve(ctx.caller(), in.partitionId());
        if (p == null || p.isRoot() || p.state() == PartitionState.DELETED) {
            return HypercallContext.fail(HvStatus.INVALID_PARTITION_ID);
        }
        if (in.propertyCode() == HvPartitionProperty.GUEST_OS_ID) {
            p.setGuestOsId(in.value());
            return ctx.ok();
        }
        if (in.propertyCode() == HvPartitionProperty.PRIVILEGE_FLAGS || in.propertyCode() == HvPartitionProperty.PROCESSOR_VENDOR) {
            // Fixed at creation: a child's privileges never grow.
            return HypercallContext.fail(HvStatus.OPERATION_DENIED);
        }
        long v = in.value();
        switch (in.propertyCode()) {
            case HvPartitionProperty.SUSPEND, HvPartitionProperty.TIME_FREEZE -> {
                if (v != 0 && v != 1) {
                    return HypercallContext.fail(HvStatus.PROPERTY_VALUE_OUT_OF_RANGE);
                }
                if (in.propertyCode() == HvPartitionProperty.SUSPEND) {
                    p.runner().setSuspended(v == 1);
                } else {
                    p.setTimeFrozen(v == 1);
                }
            }
            case HvPartitionProperty.REFERENCE_TIME -> {
                if (v < 0) {
                    return HypercallContext.fail(HvStatus.PROPERTY_VALUE_OUT_OF_RANGE);
                }
                if (!p.setReferenceTime(v)) {
                    return HypercallContext.fail(HvStatus.INVALID_PARTITION_STATE);
                }
            }
            case HvPartitionProperty.CPU_WEIGHT -> {
                if (!CpuSharePolicy.validWeight(v)) {
                    return HypercallContext.fail(HvStatus.PROPERTY_VALUE_OUT_OF_RANGE);
                }
                p.runner().cpu().setWeight(v);
            }
            case HvPartitionProperty.CPU_RESERVE -> {
                if (!CpuSharePolicy.validReserve(v)) {
                    return HypercallContext.fail(HvStatus.PROPERTY_VALUE_OUT_OF_RANGE);
                }
                p.runner().cpu().setReserve(v);
            }
            case HvPartitionProperty.CPU_CAP -> {
                if (!CpuSharePolicy.validCap(v)) {
                    return HypercallContext.fail(HvStatus.PROPERTY_VALUE_OUT_OF_RANGE);
                }
                p.runner().cpu().setCap(v);
            }
            default -> {
                return HypercallContext.fail(HvStatus.UNKNOWN_PROPERTY);
            }
        }
        return ctx.ok();
    }

    private HypercallResult partitionId(HypercallContext ctx) {
        new PartitionIdValue(ctx.caller().id()).write(ctx.output());
        return ctx.ok();
    }

    private HypercallResult installIntercept(HypercallContext ctx) {
        InstallInterceptInput in = InstallInterceptInput.read(ctx.input());
        Partition p = hv.partitions().get(in.partitionId());
        if (p == null || p.isRoot() || p.state() == PartitionState.DELETED) {
            return HypercallContext.fail(HvStatus.INVALID_PARTITION_ID);
        }
        // Only port writes can be intercepted on this backend (unicorn cannot trap MSRs).
        if (in.interceptType() != HvInterceptType.X64_IO_PORT || (in.accessTypeMask() & HvInterceptType.ACCESS_WRITE) == 0
                || (in.accessTypeMask() & ~(HvInterceptType.ACCESS_READ | HvInterceptType.ACCESS_WRITE)) != 0
                || in.parameters() < 0 || in.parameters() > 0xFFFF) {
            return HypercallContext.fail(HvStatus.INVALID_PARAMETER);
        }
        p.ioPortIntercepts().add((int) in.parameters());
        return ctx.ok();
    }

    /** The child partition a fast or slow call's first u64 names; null unless it is a live child. */
    private Partition child(HypercallContext ctx) {
        long id = PartitionIdValue.read(ctx.input()).partitionId();
        Partition p = hv.partitions().get(id);
        return p == null || p.isRoot() || p.state() == PartitionState.DELETED ? null : p;
    }
}
