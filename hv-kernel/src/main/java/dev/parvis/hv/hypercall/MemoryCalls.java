package dev.parvis.hv.hypercall;

import dev.parvis.abi.hv.HvCallCode;
import dev.parvis.abi.hv.HvMapGpaFlags;
import dev.parvis.abi.hv.HvPartitionPrivilege;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.HypercallResult;
import dev.parvis.abi.hv.input.DepositMemoryHeader;
import dev.parvis.abi.hv.input.GpaAccessResult;
import dev.parvis.abi.hv.input.MapGpaPagesHeader;
import dev.parvis.abi.hv.input.ReadGpaInput;
import dev.parvis.abi.hv.input.ReadGpaOutput;
import dev.parvis.abi.hv.input.UnmapGpaPagesHeader;
import dev.parvis.abi.hv.input.WithdrawMemoryHeader;
import dev.parvis.abi.hv.input.WriteGpaInput;
import dev.parvis.abi.hv.input.WriteGpaOutput;
import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.backend.GuestMemoryRegion;
import dev.parvis.hv.memory.GpaMap;
import dev.parvis.hv.memory.PageStateException;
import dev.parvis.hv.partition.Partition;
import dev.parvis.hv.partition.PartitionState;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** Memory calls: DepositMemory, WithdrawMemory, MapGpaPages, UnmapGpaPages, ReadGpa, WriteGpa. */
public final class MemoryCalls {
    private static final long MAP_FLAGS_SUPPORTED = HvMapGpaFlags.READABLE | HvMapGpaFlags.WRITABLE
            | HvMapGpaFlags.KERNEL_EXECUTABLE | HvMapGpaFlags.USER_EXECUTABLE | HvMapGpaFlags.NO_ACCESS;

    private final Hypervisor hv;

    public MemoryCalls(Hypervisor hv) {
        this.hv = hv;
    }

    public void register(HypercallDispatcher d) {
        long pool = HvPartitionPrivilege.ACCESS_MEMORY_POOL;
        d.register(HvCallCode.DEPOSIT_MEMORY, pool, this::deposit);
        d.register(HvCallCode.WITHDRAW_MEMORY, pool, this::withdraw);
        d.register(HvCallCode.MAP_GPA_PAGES, pool, this::map);
        d.register(HvCallCode.UNMAP_GPA_PAGES, pool, this::unmap);
        d.register(HvCallCode.READ_GPA, HvPartitionPrivilege.CREATE_PARTITIONS, this::readGpa);
        d.register(HvCallCode.WRITE_GPA, HvPartitionPrivilege.CREATE_PARTITIONS, this::writeGpa);
    }

    private HypercallResult deposit(HypercallContext ctx) {
        Partition p = liveChild(DepositMemoryHeader.read(ctx.input()).partitionId());
        if (p == null) {
            return HypercallContext.fail(HvStatus.INVALID_PARTITION_ID);
        }
        int end = ctx.passEnd();
        for (int i = ctx.repStart(); i < end; i++) {
            try {
                hv.pool().deposit(new long[] {ctx.inputElementLong(i)}, p.id());
            } catch (PageStateException e) {
                return ctx.reps(HvStatus.INVALID_PARAMETER, i);
            }
        }
        return ctx.reps(HvStatus.SUCCESS, end);
    }

    private HypercallResult withdraw(HypercallContext ctx) {
        WithdrawMemoryHeader in = WithdrawMemoryHeader.read(ctx.input());
        Partition p = hv.partitions().get(in.partitionId());
        if (p == null || p.isRoot()) {
            return HypercallContext.fail(HvStatus.INVALID_PARTITION_ID);
        }
        // The deposit rule: what an initialized partition needs stays (its overlay pages are part of it).
        long inUse = p.state() == PartitionState.DELETED ? 0
                : p.state() == PartitionState.CREATED ? 0 : Partition.BASE_DEPOSIT_PAGES + (long) p.vpCount() * Partition.DEPOSIT_PAGES_PER_VP;
        long spare = Math.max(0, hv.pool().depositedTo(p.id()) - inUse);
        int wanted = ctx.passEnd() - ctx.repStart();
        long[] pages = hv.pool().withdraw(p.id(), (int) Math.min(wanted, spare));
        for (int i = 0; i < pages.length; i++) {
            ctx.outputElement(ctx.repStart() + i).set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0, pages[i]);
        }
        if (p.state() == PartitionState.DELETED && hv.pool().depositedTo(p.id()) == 0) {
            hv.partitions().remove(p.id());
        }
        int completed = ctx.repStart() + pages.length;
        // Fewer pages than asked: the published answer that ends a root's withdraw loop.
        return ctx.reps(pages.length == wanted ? HvStatus.SUCCESS : HvStatus.NO_RESOURCES, completed);
    }

    private HypercallResult map(HypercallContext ctx) {
        MapGpaPagesHeader in = MapGpaPagesHeader.read(ctx.input());
        Partition p = liveChild(in.targetPartitionId());
        if (p == null) {
            return HypercallContext.fail(HvStatus.INVALID_PARTITION_ID);
        }
        if (p.state() == PartitionState.CREATED) {
            return HypercallContext.fail(HvStatus.INVALID_PARTITION_STATE);
        }
        long flags = in.mapFlags() & 0xFFFF_FFFFL;
        if ((flags & ~MAP_FLAGS_SUPPORTED) != 0 || in.targetGpaBase() < 0
                || in.targetGpaBase() + ctx.repCount() > GpaMap.MAX_GPN) {
            return HypercallContext.fail(HvStatus.INVALID_PARAMETER);
        }
        int access = access(flags);
        int end = ctx.passEnd();
        for (int i = ctx.repStart(); i < end; i++) {
            long gpn = in.targetGpaBase() + i;
            long spn = ctx.inputElementLong(i);
            synchronized (p.gpaMap()) {
                if (p.gpaMap().isMapped(gpn)) {
                    return ctx.reps(HvStatus.INVALID_PARAMETER, i);
                }
                try {
                    hv.pool().assignToGuest(new long[] {spn}, p.id());
                } catch (PageStateException e) {
                    return ctx.reps(HvStatus.INVALID_PARAMETER, i);
                }
                p.gpaMap().map(gpn, spn, access);
            }
        }
        return ctx.reps(HvStatus.SUCCESS, end);
    }

    private HypercallResult unmap(HypercallContext ctx) {
        UnmapGpaPagesHeader in = UnmapGpaPagesHeader.read(ctx.input());
        Partition p = liveChild(in.targetPartitionId());
        if (p == null) {
            return HypercallContext.fail(HvStatus.INVALID_PARTITION_ID);
        }
        if (in.unmapFlags() != 0 || in.targetGpaBase() < 0 || in.targetGpaBase() + ctx.repCount() > GpaMap.MAX_GPN) {
            return HypercallContext.fail(HvStatus.INVALID_PARAMETER);
        }
        int start = ctx.repStart();
        int end = ctx.passEnd();
        // The VPs must stop seeing the pages before the pages leave the partition.
        long[] spns = p.runner().execute(() -> {
            long[] removed = new long[end - start];
            int n = 0;
            for (int i = start; i < end; i++) {
                long spn = p.gpaMap().unmap(in.targetGpaBase() + i);
                if (spn < 0) {
                    break;
                }
                removed[n++] = spn;
            }
            VpCalls.syncMemory(p);
            return Arrays.copyOf(removed, n);
        });
        try {
            hv.pool().releaseFromGuest(spns, p.id());
        } catch (PageStateException e) {
            throw new IllegalStateException(e);
        }
        int completed = start + spns.length;
        return ctx.reps(completed == end ? HvStatus.SUCCESS : HvStatus.INVALID_PARAMETER, completed);
    }

    private HypercallResult readGpa(HypercallContext ctx) {
        ReadGpaInput in = ReadGpaInput.read(ctx.input());
        Partition p = liveChild(in.partitionId());
        if (p == null) {
            return HypercallContext.fail(HvStatus.INVALID_PARTITION_ID);
        }
        if (in.byteCount() <= 0 || in.byteCount() > 16 || in.controlFlags() != 0) {
            return HypercallContext.fail(HvStatus.INVALID_PARAMETER);
        }
        byte[] data = new byte[16];
        int result = access(p.gpaMap(), in.baseGpa(), in.byteCount(), GuestMemoryRegion.READ, GpaAccessResult.READ_INTERCEPT,
                page -> MemorySegment.copy(page, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, data, 0, in.byteCount()));
        if (result < 0) {
            return HypercallContext.fail(HvStatus.INVALID_PARAMETER);
        }
        new ReadGpaOutput(result, data).write(ctx.output());
        return ctx.ok();
    }

    private HypercallResult writeGpa(HypercallContext ctx) {
        WriteGpaInput in = WriteGpaInput.read(ctx.input());
        Partition p = liveChild(in.partitionId());
        if (p == null) {
            return HypercallContext.fail(HvStatus.INVALID_PARTITION_ID);
        }
        if (in.byteCount() <= 0 || in.byteCount() > 16 || in.controlFlags() != 0) {
            return HypercallContext.fail(HvStatus.INVALID_PARAMETER);
        }
        int result = access(p.gpaMap(), in.baseGpa(), in.byteCount(), GuestMemoryRegion.WRITE, GpaAccessResult.WRITE_INTERCEPT,
                page -> MemorySegment.copy(in.data16(), 0, page, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, in.byteCount()));
        if (result < 0) {
            return HypercallContext.fail(HvStatus.INVALID_PARAMETER);
        }
        new WriteGpaOutput(result).write(ctx.output());
        return ctx.ok();
    }

    /**
     * Runs {@code action} on the bytes if the guest itself could access them; returns the access result,
     * or -1 for a page-crossing range. As the TLFS has HvReadGpa/HvWriteGpa access memory the way the VP
     * would, an overlay page (the hypercall page, a SIM or SIEF page) is what they reach where one lies;
     * an access the overlay's rights forbid is ILLEGAL_OVERLAY, and the RAM beneath is never touched.
     */
    private static int access(GpaMap map, long gpa, int count, int right, int deniedResult, java.util.function.Consumer<MemorySegment> action) {
        if (gpa < 0 || (gpa & 0xFFF) + count > 4096) {
            return -1;
        }
        if (map.guestAccess(gpa >>> 12) < 0) {
            return GpaAccessResult.UNMAPPED;
        }
        MemorySegment bytes = map.resolve(gpa, count, right);
        if (bytes == null) {
            return map.isOverlaid(gpa >>> 12) ? GpaAccessResult.ILLEGAL_OVERLAY : deniedResult;
        }
        action.accept(bytes);
        return GpaAccessResult.SUCCESS;
    }

    private static int access(long flags) {
        if ((flags & HvMapGpaFlags.NO_ACCESS) != 0) {
            return 0;
        }
        int access = 0;
        access |= (flags & HvMapGpaFlags.READABLE) != 0 ? GuestMemoryRegion.READ : 0;
        access |= (flags & HvMapGpaFlags.WRITABLE) != 0 ? GuestMemoryRegion.WRITE : 0;
        access |= (flags & HvMapGpaFlags.EXECUTABLE) != 0 ? GuestMemoryRegion.EXECUTE : 0;
        return access;
    }

    private Partition liveChild(long id) {
        Partition p = hv.partitions().get(id);
        return p == null || p.isRoot() || p.state() == PartitionState.DELETED ? null : p;
    }
}
