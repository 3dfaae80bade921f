package dev.parvis.hv.backend.kvm;

import dev.parvis.abi.hv.HvSyntheticMsr;
import dev.parvis.hv.backend.GuestMemoryRegion;
import dev.parvis.hv.backend.SegmentRegister;
import dev.parvis.hv.backend.TableRegister;
import dev.parvis.hv.backend.VpEngine;
import dev.parvis.hv.backend.VpExit;
import dev.parvis.hv.backend.VpIntercepts;
import dev.parvis.hv.backend.X64Register;
import java.util.List;

/**
 * One virtual processor on KVM: its own VM and vCPU ({@link KvmVcpu}), the backend's pages and
 * identity map ({@link SupervisorArea}), the register translation ({@link KvmRegisters}) and the
 * exit decoding ({@link KvmExits}).
 *
 * <p>RIP on exits: Hypercall at the hypercall page's VMCALL place (the kernel advances it), Halt and
 * IoPortWrite after the instruction or page entry, MemoryViolation at the faulting instruction (a
 * #PF is precise, and a load KVM had to emulate is rolled back), InvalidOpcode and faults at the
 * instruction, traps (INT3) after it. Threading as {@link VpEngine} says; {@link #kick()} from any thread.
 */
final class KvmEngine implements VpEngine {
    private final KvmVcpu vcpu;
    private final SupervisorArea area = new SupervisorArea();
    private final GuestRegions regions = new GuestRegions();
    private final KvmRegisters registers;
    private final KvmExits exits;
    private final KvmKick kick;
    private boolean supervisorSlot;
    private boolean closed;
    /** Why the engine failed (KVM_RUN refused, an entry failure, an exit it cannot decode); null while usable. */
    private String failure;

    KvmEngine(KvmDevice device, PrivilegeMode mode, VpIntercepts intercepts) {
        this.vcpu = new KvmVcpu(device);
        try {
            this.kick = new KvmKick(vcpu.runArea());
            this.registers = new KvmRegisters(vcpu, mode);
            this.exits = new KvmExits(vcpu, registers, area, regions, intercepts, mode, kick);
            KvmCpuid.install(vcpu, KvmCpuid.leaves(intercepts));
            if (mode == PrivilegeMode.PRIVILEGED) {
                vcpu.trapSyntheticMsrs(HvSyntheticMsr.FIRST, HvSyntheticMsr.COUNT);
            }
            applyMemoryMap(List.of());
            registers.initializeProcessor(SupervisorArea.TABLES);
            vcpu.flushNow();
        } catch (RuntimeException e) {
            vcpu.close();
            area.close();
            throw e;
        }
    }

    /**
     * Slots first lose what the map no longer holds, the page tables are rebuilt, the backend's slot
     * is re-created (KVM then drops every shadow page table built from the old tables), and the new
     * regions get their slots.
     */
    @Override
    public void applyMemoryMap(List<GuestMemoryRegion> regions) {
        this.regions.set(regions);
        var missing = vcpu.removeStale(regions);
        area.rebuild(regions, true);
        vcpu.slots().replaceSupervisor(area.memory(), supervisorSlot);
        supervisorSlot = true;
        vcpu.slots().add(missing);
    }

    /**
     * A VP whose vCPU KVM can no longer run (KVM_RUN fails, the entry fails, an exit the backend
     * cannot decode) ends in {@link VpExit.EngineFailure}, as a contained unicorn failure does: the
     * kernel fails the partition with the reason, and every later run returns the same exit.
     */
    @Override
    public VpExit run() {
        if (failure == null) {
            try {
                VpExit exit = runUntilExit();
                if (!(exit instanceof VpExit.EngineFailure f)) {
                    return exit;
                }
                failure = f.reason();
            } catch (KvmHostException.CallFailed e) {
                // KVM refused the state it was handed (KVM_SET_SREGS/REGS before the entry, the
                // completion of an exit): the vCPU is as unusable as after a failed KVM_RUN.
                failure = e.getMessage();
            }
        }
        return new VpExit.EngineFailure(failure);
    }

    private VpExit runUntilExit() {
        while (true) {
            if (kick.consume()) {
                exits.leaveStub();
                return new VpExit.Cancelled();
            }
            int r = vcpu.enter(kick);
            if (r == -Libc.EINTR) {
                kick.consume();
                exits.leaveStub();
                return new VpExit.Cancelled();
            }
            if (r < 0) {
                return new VpExit.EngineFailure("KVM_RUN failed: errno " + -r);
            }
            VpExit exit = exits.decode();
            if (exit != null) {
                return exit;
            }
        }
    }

    /** Test seam: the vCPU, so a test can hand KVM a state it refuses. */
    KvmVcpu vcpu() {
        return vcpu;
    }

    @Override
    public void kick() {
        kick.request();
    }

    @Override
    public boolean kickPending() {
        return kick.pending();
    }

    @Override
    public long readRegister(X64Register register) {
        return registers.read(register);
    }

    @Override
    public void writeRegister(X64Register register, long value) {
        registers.write(register, value);
    }

    @Override
    public void readRegisters(X64Register[] names, long[] values) {
        for (int i = 0; i < names.length; i++) {
            values[i] = registers.read(names[i]);
        }
    }

    @Override
    public SegmentRegister readSegment(X64Register segment) {
        requireSegment(segment);
        return registers.segment(segment);
    }

    @Override
    public void writeSegment(X64Register segment, SegmentRegister value) {
        requireSegment(segment);
        registers.setSegment(segment, value);
    }

    @Override
    public TableRegister readTable(X64Register table) {
        requireTable(table);
        return registers.table(table);
    }

    @Override
    public void writeTable(X64Register table, TableRegister value) {
        requireTable(table);
        registers.setTable(table, value);
    }

    private static void requireSegment(X64Register r) {
        if (!r.isSegment()) {
            throw new IllegalArgumentException(r + " is not a segment register");
        }
    }

    private static void requireTable(X64Register r) {
        if (!r.isTable()) {
            throw new IllegalArgumentException(r + " is not GDTR or IDTR");
        }
    }

    /** Kicks stop touching kvm_run before it is unmapped. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        kick.close();
        vcpu.close();
        area.close();
    }
}
