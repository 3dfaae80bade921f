package dev.parvis.root.vm;

import dev.parvis.abi.hv.HvCallCode;
import dev.parvis.abi.hv.HvRegisterName;
import dev.parvis.abi.hv.HypercallControl;
import dev.parvis.abi.hv.HypercallResult;
import dev.parvis.abi.hv.input.RegisterAssoc;
import dev.parvis.abi.hv.input.VpRegistersHeader;
import dev.parvis.vmcore.HypercallFailedException;
import dev.parvis.vmcore.HypercallGateway;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Full 128-bit Get/SetVpRegisters for save and restore (segment and table registers carry state in
 * both halves, which RootHypercalls' 64-bit reads drop), over the published layouts.
 */
final class VpRegisters {
    /** One register's value as the hypervisor reports it. */
    record Value(int name, long low, long high) {}

    /** What save captures of each VP: architectural state, then the synthetic registers. */
    static final List<HvRegisterName> SAVED;

    static {
        List<HvRegisterName> names = new ArrayList<>(List.of(
                HvRegisterName.RAX, HvRegisterName.RCX, HvRegisterName.RDX, HvRegisterName.RBX, HvRegisterName.RSP,
                HvRegisterName.RBP, HvRegisterName.RSI, HvRegisterName.RDI, HvRegisterName.R8, HvRegisterName.R9,
                HvRegisterName.R10, HvRegisterName.R11, HvRegisterName.R12, HvRegisterName.R13, HvRegisterName.R14,
                HvRegisterName.R15, HvRegisterName.RIP, HvRegisterName.RFLAGS,
                HvRegisterName.CR0, HvRegisterName.CR2, HvRegisterName.CR3, HvRegisterName.CR4, HvRegisterName.EFER,
                HvRegisterName.ES, HvRegisterName.CS, HvRegisterName.SS, HvRegisterName.DS, HvRegisterName.FS,
                HvRegisterName.GS, HvRegisterName.LDTR, HvRegisterName.TR, HvRegisterName.IDTR, HvRegisterName.GDTR));
        names.add(HvRegisterName.GUEST_OS_ID);
        names.add(HvRegisterName.SIMP);
        names.add(HvRegisterName.SIEFP);
        names.add(HvRegisterName.SCONTROL);
        for (int i = 0; i < 16; i++) {
            names.add(new HvRegisterName(HvRegisterName.SINT0.raw() + i));
        }
        names.add(HvRegisterName.HYPERCALL);
        SAVED = List.copyOf(names);
    }

    private static final int PAGE = 4096;
    private static final int CHUNK = 64;
    private final HypercallGateway gateway;
    private final ThreadLocal<MemorySegment[]> pages = ThreadLocal.withInitial(() -> new MemorySegment[] {
        Arena.ofAuto().allocate(PAGE, PAGE), Arena.ofAuto().allocate(PAGE, PAGE)});

    VpRegisters(HypercallGateway gateway) {
        this.gateway = gateway;
    }

    List<Value> read(long partitionId, int vpIndex, List<HvRegisterName> names) {
        List<Value> values = new ArrayList<>(names.size());
        for (int from = 0; from < names.size(); from += CHUNK) {
            List<HvRegisterName> chunk = names.subList(from, Math.min(names.size(), from + CHUNK));
            readChunk(partitionId, vpIndex, chunk, values);
        }
        return values;
    }

    private void readChunk(long partitionId, int vpIndex, List<HvRegisterName> names, List<Value> into) {
        MemorySegment[] p = pages.get();
        int done = 0;
        while (done < names.size()) {
            p[0].fill((byte) 0);
            new VpRegistersHeader(partitionId, vpIndex, (byte) 0).write(p[0]);
            for (int i = 0; i < names.size(); i++) {
                p[0].set(ValueLayout.JAVA_INT_UNALIGNED, VpRegistersHeader.SIZE + 4L * i, names.get(i).raw());
            }
            HypercallResult r = gateway.call(HypercallControl.rep(HvCallCode.GET_VP_REGISTERS, names.size()).withRepStart(done), p[0], p[1]);
            for (int i = done; i < r.repsCompleted(); i++) {
                into.add(new Value(names.get(i).raw(), p[1].get(ValueLayout.JAVA_LONG_UNALIGNED, 16L * i),
                        p[1].get(ValueLayout.JAVA_LONG_UNALIGNED, 16L * i + 8)));
            }
            if (!r.status().isSuccess()) {
                throw new HypercallFailedException(HvCallCode.GET_VP_REGISTERS, r.status());
            }
            done = r.repsCompleted();
        }
    }

    void write(long partitionId, int vpIndex, List<Value> values) {
        MemorySegment[] p = pages.get();
        int size = RegisterAssoc.SIZE;
        for (int from = 0; from < values.size(); from += CHUNK) {
            List<Value> chunk = values.subList(from, Math.min(values.size(), from + CHUNK));
            int done = 0;
            while (done < chunk.size()) {
                p[0].fill((byte) 0);
                new VpRegistersHeader(partitionId, vpIndex, (byte) 0).write(p[0]);
                for (int i = 0; i < chunk.size(); i++) {
                    Value v = chunk.get(i);
                    new RegisterAssoc(new HvRegisterName(v.name()), v.low(), v.high())
                            .write(p[0].asSlice(VpRegistersHeader.SIZE + (long) i * size, size));
                }
                HypercallResult r = gateway.call(HypercallControl.rep(HvCallCode.SET_VP_REGISTERS, chunk.size()).withRepStart(done), p[0], p[1]);
                if (!r.status().isSuccess()) {
                    throw new HypercallFailedException(HvCallCode.SET_VP_REGISTERS, r.status());
                }
                done = r.repsCompleted();
            }
        }
    }
}
