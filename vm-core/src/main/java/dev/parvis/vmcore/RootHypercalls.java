package dev.parvis.vmcore;

import dev.parvis.abi.hv.HvCallCode;
import dev.parvis.abi.hv.HvStats;
import dev.parvis.abi.hv.input.StatsPageInput;
import dev.parvis.abi.hv.input.StatsPageLocation;
import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HvRegisterName;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.HypercallControl;
import dev.parvis.abi.hv.HypercallResult;
import dev.parvis.abi.hv.input.ConnectPortInput;
import dev.parvis.abi.hv.input.ConnectionInfo;
import dev.parvis.abi.hv.input.CreatePartitionInput;
import dev.parvis.abi.hv.input.CreatePortInput;
import dev.parvis.abi.hv.input.CreateVpInput;
import dev.parvis.abi.hv.input.DepositMemoryHeader;
import dev.parvis.abi.hv.input.GetPartitionPropertyInput;
import dev.parvis.abi.hv.input.InstallInterceptInput;
import dev.parvis.abi.hv.input.MapGpaPagesHeader;
import dev.parvis.abi.hv.input.PartitionIdValue;
import dev.parvis.abi.hv.input.PartitionPropertyValue;
import dev.parvis.abi.hv.input.PortInfo;
import dev.parvis.abi.hv.input.PostMessageInput;
import dev.parvis.abi.hv.input.ReadGpaInput;
import dev.parvis.abi.hv.input.ReadGpaOutput;
import dev.parvis.abi.hv.input.RegisterAssoc;
import dev.parvis.abi.hv.input.SetPartitionPropertyInput;
import dev.parvis.abi.hv.input.SignalEventInput;
import dev.parvis.abi.hv.input.UnmapGpaPagesHeader;
import dev.parvis.abi.hv.input.VpRegistersHeader;
import dev.parvis.abi.hv.input.VpStateHeader;
import dev.parvis.abi.hv.input.WithdrawMemoryHeader;
import dev.parvis.abi.hv.input.WriteGpaInput;
import dev.parvis.abi.hv.input.WriteGpaOutput;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Typed root hypercalls: each method encodes the published input layout into the root's input
 * page, issues the call through the {@link HypercallGateway}, re-issues rep calls from the reported
 * completion point (as a guest driver does), and turns a failure status into
 * {@link HypercallFailedException}.
 */
public final class RootHypercalls {
    private static final long PAGE = 4096;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private final HypercallGateway gateway;
    /** Input and output pages per calling thread, as a root OS keeps per-CPU hypercall pages. */
    private final ThreadLocal<MemorySegment[]> pages = ThreadLocal.withInitial(() -> new MemorySegment[] {
        Arena.ofAuto().allocate(PAGE, PAGE), Arena.ofAuto().allocate(PAGE, PAGE)});

    public RootHypercalls(HypercallGateway gateway) {
        this.gateway = gateway;
    }

    public HypercallGateway gateway() {
        return gateway;
    }

    public long createPartition(long flags) {
        return simpleWithOutput(HvCallCode.CREATE_PARTITION,
                in -> new CreatePartitionInput(flags, 0, 0, 0, 0, 0, 0).write(in),
                out -> PartitionIdValue.read(out).partitionId());
    }

    public void initializePartition(long partitionId) {
        fast(HvCallCode.INITIALIZE_PARTITION, partitionId, 0);
    }

    public void finalizePartition(long partitionId) {
        fast(HvCallCode.FINALIZE_PARTITION, partitionId, 0);
    }

    public void deletePartition(long partitionId) {
        fast(HvCallCode.DELETE_PARTITION, partitionId, 0);
    }

    public long getPartitionProperty(long partitionId, int propertyCode) {
        return simpleWithOutput(HvCallCode.GET_PARTITION_PROPERTY,
                in -> new GetPartitionPropertyInput(partitionId, propertyCode).write(in),
                out -> PartitionPropertyValue.read(out).value());
    }

    public void setPartitionProperty(long partitionId, int propertyCode, long value) {
        simple(HvCallCode.SET_PARTITION_PROPERTY, in -> new SetPartitionPropertyInput(partitionId, propertyCode, value).write(in));
    }

    public long getPartitionId() {
        return simpleWithOutput(HvCallCode.GET_PARTITION_ID, in -> { }, out -> PartitionIdValue.read(out).partitionId());
    }

    public void depositMemory(long partitionId, long[] gpns) {
        int header = (int) DepositMemoryHeader.LAYOUT.byteSize();
        int perCall = (int) ((PAGE - header) / 8);
        for (int off = 0; off < gpns.length; off += perCall) {
            long[] chunk = java.util.Arrays.copyOfRange(gpns, off, Math.min(gpns.length, off + perCall));
            repWithElements(HvCallCode.DEPOSIT_MEMORY, header, in -> new DepositMemoryHeader(partitionId).write(in), chunk);
        }
    }

    /** Withdraws up to {@code maxPages} deposited pages; returns the root GPNs handed back. */
    public long[] withdrawMemory(long partitionId, int maxPages) {
        MemorySegment[] p = pages.get();
        long[] result = new long[maxPages];
        int done = 0;
        while (done < maxPages) {
            p[0].fill((byte) 0);
            new WithdrawMemoryHeader(partitionId, 0).write(p[0]);
            HypercallResult r = gateway.call(HypercallControl.rep(HvCallCode.WITHDRAW_MEMORY, maxPages).withRepStart(done), p[0], p[1]);
            for (int i = done; i < r.repsCompleted(); i++) {
                result[i] = p[1].getAtIndex(U64, i);
            }
            done = Math.max(done, r.repsCompleted());
            if (!r.status().isSuccess()) {
                if (done > 0) {
                    break;
                }
                throw new HypercallFailedException(HvCallCode.WITHDRAW_MEMORY, r.status());
            }
        }
        return java.util.Arrays.copyOf(result, done);
    }

    /**
     * Withdraws every page the partition does not need (all of them once it is deleted), batch after
     * batch, until the hypervisor answers that none is left: the root cannot know how many pages a
     * partition holds (its VPs, the kernel's overlay pages), so it never stops at a count of its own.
     */
    public long[] withdrawAllMemory(long partitionId) {
        int batch = (int) (PAGE / 8);
        long[] all = new long[0];
        while (true) {
            long[] got;
            try {
                got = withdrawMemory(partitionId, batch);
            } catch (HypercallFailedException e) {
                if (e.status().equals(HvStatus.NO_RESOURCES)) {
                    return all; // the published "none left"
                }
                throw e;
            }
            int at = all.length;
            all = java.util.Arrays.copyOf(all, at + got.length);
            System.arraycopy(got, 0, all, at, got.length);
            if (got.length < batch) {
                return all;
            }
        }
    }

    public void mapGpaPages(long partitionId, long targetGpn, int mapFlags, long[] sourceGpns) {
        int header = (int) MapGpaPagesHeader.LAYOUT.byteSize();
        int perCall = (int) ((PAGE - header) / 8);
        for (int off = 0; off < sourceGpns.length; off += perCall) {
            long[] chunk = java.util.Arrays.copyOfRange(sourceGpns, off, Math.min(sourceGpns.length, off + perCall));
            long base = targetGpn + off;
            repWithElements(HvCallCode.MAP_GPA_PAGES, header, in -> new MapGpaPagesHeader(partitionId, base, mapFlags).write(in), chunk);
        }
    }

    public void unmapGpaPages(long partitionId, long targetGpn, int pageCount) {
        MemorySegment[] p = pages.get();
        int done = 0;
        while (done < pageCount) {
            p[0].fill((byte) 0);
            new UnmapGpaPagesHeader(partitionId, targetGpn, 0).write(p[0]);
            HypercallResult r = gateway.call(HypercallControl.rep(HvCallCode.UNMAP_GPA_PAGES, pageCount).withRepStart(done), p[0], p[1]);
            check(HvCallCode.UNMAP_GPA_PAGES, r.status());
            done = r.repsCompleted();
        }
    }

    public void installIntercept(long partitionId, int accessTypeMask, int interceptType, long parameters) {
        simple(HvCallCode.INSTALL_INTERCEPT, in -> new InstallInterceptInput(partitionId, accessTypeMask, interceptType, parameters).write(in));
    }

    public void createVp(long partitionId, int vpIndex) {
        simple(HvCallCode.CREATE_VP, in -> new CreateVpInput(partitionId, vpIndex, (byte) 0, 0, 0, 0).write(in));
    }

    public void deleteVp(long partitionId, int vpIndex) {
        fast(HvCallCode.DELETE_VP, partitionId, vpIndex & 0xFFFF_FFFFL);
    }

    public void setVpRegisters(long partitionId, int vpIndex, RegisterAssoc... registers) {
        int header = (int) VpRegistersHeader.LAYOUT.byteSize();
        int size = (int) RegisterAssoc.LAYOUT.byteSize();
        MemorySegment[] p = pages.get();
        int done = 0;
        while (done < registers.length) {
            p[0].fill((byte) 0);
            new VpRegistersHeader(partitionId, vpIndex, (byte) 0).write(p[0]);
            for (int i = 0; i < registers.length; i++) {
                registers[i].write(p[0].asSlice(header + (long) i * size, size));
            }
            HypercallResult r = gateway.call(HypercallControl.rep(HvCallCode.SET_VP_REGISTERS, registers.length).withRepStart(done), p[0], p[1]);
            check(HvCallCode.SET_VP_REGISTERS, r.status());
            done = r.repsCompleted();
        }
    }

    public void setVpRegister(long partitionId, int vpIndex, HvRegisterName name, long value) {
        setVpRegisters(partitionId, vpIndex, new RegisterAssoc(name, value, 0));
    }

    /** Reads the low 64 bits of each register. */
    public long[] getVpRegisters(long partitionId, int vpIndex, HvRegisterName... names) {
        int header = (int) VpRegistersHeader.LAYOUT.byteSize();
        MemorySegment[] p = pages.get();
        long[] values = new long[names.length];
        int done = 0;
        while (done < names.length) {
            p[0].fill((byte) 0);
            new VpRegistersHeader(partitionId, vpIndex, (byte) 0).write(p[0]);
            for (int i = 0; i < names.length; i++) {
                p[0].set(ValueLayout.JAVA_INT_UNALIGNED, header + 4L * i, names[i].raw());
            }
            HypercallResult r = gateway.call(HypercallControl.rep(HvCallCode.GET_VP_REGISTERS, names.length).withRepStart(done), p[0], p[1]);
            for (int i = done; i < r.repsCompleted(); i++) {
                values[i] = p[1].get(U64, 16L * i);
            }
            check(HvCallCode.GET_VP_REGISTERS, r.status());
            done = r.repsCompleted();
        }
        return values;
    }

    public long getVpRegister(long partitionId, int vpIndex, HvRegisterName name) {
        return getVpRegisters(partitionId, vpIndex, name)[0];
    }

    /**
     * HvCallGetVpState: the hypervisor copies one piece of the VP's state into the root's pages
     * {@code rootGpns} (the PFN list): one page for {@code VpStateHeader.TYPE_SIM_PAGE} or
     * {@code TYPE_SIEF_PAGE}, one or more for {@code TYPE_PARVIS_PENDING_MESSAGES}.
     */
    public void getVpState(long partitionId, int vpIndex, int type, long... rootGpns) {
        vpState(HvCallCode.GET_VP_STATE, partitionId, vpIndex, type, rootGpns);
    }

    /** HvCallSetVpState: that piece of the VP's state becomes the contents of the root's pages {@code rootGpns}. */
    public void setVpState(long partitionId, int vpIndex, int type, long... rootGpns) {
        vpState(HvCallCode.SET_VP_STATE, partitionId, vpIndex, type, rootGpns);
    }

    private void vpState(HvCallCode code, long partitionId, int vpIndex, int type, long[] rootGpns) {
        MemorySegment[] p = pages.get();
        p[0].fill((byte) 0);
        new VpStateHeader(partitionId, vpIndex, (byte) 0, type, 0, 0).write(p[0]);
        for (int i = 0; i < rootGpns.length; i++) {
            p[0].set(U64, VpStateHeader.SIZE + 8L * i, rootGpns[i]);
        }
        HypercallResult r = gateway.call(HypercallControl.simple(code).withVariableHeaderQwords(rootGpns.length), p[0], p[1]);
        check(code, r.status());
    }

    public void createPort(long portPartitionId, int portId, long connectionPartitionId, PortInfo info) {
        simple(HvCallCode.CREATE_PORT, in -> new CreatePortInput(portPartitionId, portId, (byte) 0, (byte) 0, connectionPartitionId, info, 0).write(in));
    }

    public void deletePort(long portPartitionId, int portId) {
        fast(HvCallCode.DELETE_PORT, portPartitionId, portId & 0xFFFF_FFFFL);
    }

    public void connectPort(long connectionPartitionId, int connectionId, long portPartitionId, int portId, int portType) {
        simple(HvCallCode.CONNECT_PORT, in -> new ConnectPortInput(connectionPartitionId, connectionId, (byte) 0,
                portPartitionId, portId, new ConnectionInfo(portType, 0), 0).write(in));
    }

    public void disconnectPort(long connectionPartitionId, int connectionId) {
        fast(HvCallCode.DISCONNECT_PORT, connectionPartitionId, connectionId & 0xFFFF_FFFFL);
    }

    /** Posts a message on one of the root's connections; returns the status rather than throwing (callers retry on a full queue). */
    public HvStatus postMessage(int connectionId, HvMessageType type, byte[] payload) {
        MemorySegment[] p = pages.get();
        p[0].fill((byte) 0);
        new PostMessageInput(connectionId, type, payload).write(p[0]);
        return gateway.call(HypercallControl.simple(HvCallCode.POST_MESSAGE), p[0], p[1]).status();
    }

    public HvStatus signalEvent(int connectionId, int flagNumber) {
        long rdx = new SignalEventInput(connectionId, (short) flagNumber).toFast();
        return gateway.callFast(HypercallControl.simple(HvCallCode.SIGNAL_EVENT).withFast(), rdx, 0).status();
    }

    /** Reads up to 16 bytes of a child's memory; throws if the access does not succeed. */
    public byte[] readGpa(long partitionId, long gpa, int byteCount) {
        MemorySegment[] p = pages.get();
        p[0].fill((byte) 0);
        new ReadGpaInput(partitionId, 0, byteCount, gpa, 0).write(p[0]);
        HypercallResult r = gateway.call(HypercallControl.simple(HvCallCode.READ_GPA), p[0], p[1]);
        check(HvCallCode.READ_GPA, r.status());
        ReadGpaOutput out = ReadGpaOutput.read(p[1]);
        if (out.accessResult() != 0) {
            throw new HypercallFailedException(HvCallCode.READ_GPA, HvStatus.INVALID_PARAMETER);
        }
        return java.util.Arrays.copyOf(out.data16(), byteCount);
    }

    /** Writes up to 16 bytes into a child's memory; returns the GPA access result code (0 = success). */
    public int writeGpa(long partitionId, long gpa, byte[] data) {
        MemorySegment[] p = pages.get();
        p[0].fill((byte) 0);
        new WriteGpaInput(partitionId, 0, data.length, gpa, 0, java.util.Arrays.copyOf(data, 16)).write(p[0]);
        HypercallResult r = gateway.call(HypercallControl.simple(HvCallCode.WRITE_GPA), p[0], p[1]);
        check(HvCallCode.WRITE_GPA, r.status());
        return WriteGpaOutput.read(p[1]).accessResult();
    }

    /**
     * HvCallMapStatsPage for a child's partition counters (HV_STATS_OBJECT_PARTITION, SELF area):
     * the root PFN of the page the hypervisor keeps them in (indices in {@code HvStats}).
     */
    public long mapStatsPage(long partitionId) {
        return simpleWithOutput(HvCallCode.MAP_STATS_PAGE,
                in -> StatsPageInput.partition(HvStats.OBJECT_PARTITION, partitionId, HvStats.AREA_SELF).write(in),
                out -> StatsPageLocation.read(out).mapLocation());
    }

    /** HvCallUnmapStatsPage: the page {@link #mapStatsPage} returned goes back to the hypervisor. */
    public void unmapStatsPage(long partitionId) {
        simple(HvCallCode.UNMAP_STATS_PAGE,
                in -> StatsPageInput.partition(HvStats.OBJECT_PARTITION, partitionId, HvStats.AREA_SELF).write(in));
    }

    private interface InputWriter {
        void write(MemorySegment input);
    }

    private interface OutputReader<T> {
        T read(MemorySegment output);
    }

    private void simple(HvCallCode code, InputWriter writer) {
        simpleWithOutput(code, writer, out -> null);
    }

    private <T> T simpleWithOutput(HvCallCode code, InputWriter writer, OutputReader<T> reader) {
        MemorySegment[] p = pages.get();
        p[0].fill((byte) 0);
        writer.write(p[0]);
        HypercallResult r = gateway.call(HypercallControl.simple(code), p[0], p[1]);
        check(code, r.status());
        return reader.read(p[1]);
    }

    private void fast(HvCallCode code, long rdx, long r8) {
        check(code, gateway.callFast(HypercallControl.simple(code).withFast(), rdx, r8).status());
    }

    private void repWithElements(HvCallCode code, int headerSize, InputWriter header, long[] elements) {
        MemorySegment[] p = pages.get();
        int done = 0;
        while (done < elements.length) {
            p[0].fill((byte) 0);
            header.write(p[0]);
            MemorySegment.copy(elements, 0, p[0], U64, headerSize, elements.length);
            HypercallResult r = gateway.call(HypercallControl.rep(code, elements.length).withRepStart(done), p[0], p[1]);
            check(code, r.status());
            done = r.repsCompleted();
        }
    }

    private static void check(HvCallCode code, HvStatus status) {
        if (!status.isSuccess()) {
            throw new HypercallFailedException(code, status);
        }
    }

    /** A 256-byte message image, for callers that build messages by hand. */
    public static HvMessage message(HvMessageType type, long sender, byte[] payload) {
        return new HvMessage(type, (byte) 0, sender, payload);
    }
}
