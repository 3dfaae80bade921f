package dev.parvis.hv.backend.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.parvis.hv.backend.MemoryAccess;
import dev.parvis.hv.backend.VpExit;
import dev.parvis.hv.backend.VpIntercepts;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.OptionalLong;

/**
 * Turns one KVM exit into the kernel's {@link VpExit}, or handles it and returns null so the engine
 * runs the guest again. The exits that matter: MMIO stores to the doorbell (the hypercall page),
 * the exception stubs' {@code out} (vector from RIP, frame on the backend stack), port I/O and HLT
 * of a privileged guest, and the ones that end a VP: a shutdown (triple fault) or an instruction KVM
 * cannot emulate is the guest's doing (an exception); a failed entry or an exit this backend does not
 * know is the engine's ({@link VpExit.EngineFailure}).
 */
final class KvmExits {
    private static final VpExit HALT = new VpExit.Halt();
    /** After a WRMSR the kernel may have changed the GPA map (HYPERCALL, SIMP, ...): return so it applies it. */
    private static final VpExit AFTER_MSR_WRITE = new VpExit.Cancelled();
    private static final int PF = 14;
    private static final int GP = 13;
    private static final int UD = 6;
    private static final long PF_WRITE = 2;
    private static final long PF_FETCH = 0x10;

    private final KvmVcpu vcpu;
    private final KvmRegisters regs;
    private final SupervisorArea area;
    private final GuestRegions regions;
    private final VpIntercepts intercepts;
    private final PrivilegeMode mode;
    private final KvmKick kick;

    KvmExits(KvmVcpu vcpu, KvmRegisters regs, SupervisorArea area, GuestRegions regions, VpIntercepts intercepts, PrivilegeMode mode,
             KvmKick kick) {
        this.vcpu = vcpu;
        this.regs = regs;
        this.area = area;
        this.regions = regions;
        this.intercepts = intercepts;
        this.mode = mode;
        this.kick = kick;
    }

    /** The kernel's exit for the KVM exit just taken, or null when the guest may simply continue. */
    VpExit decode() {
        int reason = vcpu.exitReason();
        return switch (reason) {
            case KvmAbi.EXIT_MMIO -> mmio();
            case KvmAbi.EXIT_IO -> io();
            case KvmAbi.EXIT_HLT -> HALT;
            case KvmAbi.EXIT_INTR -> new VpExit.Cancelled();
            case KvmAbi.EXIT_X86_RDMSR -> readMsr();
            case KvmAbi.EXIT_X86_WRMSR -> writeMsr();
            case KvmAbi.EXIT_SHUTDOWN -> new VpExit.Exception(8, "triple fault (KVM shutdown) at rip 0x%x".formatted(rip()));
            case KvmAbi.EXIT_INTERNAL_ERROR -> internalError();
            case KvmAbi.EXIT_FAIL_ENTRY -> new VpExit.EngineFailure("KVM could not enter the guest (reason 0x%x)"
                    .formatted(run().get(JAVA_LONG, KvmAbi.RUN_FAIL_ENTRY_REASON)));
            default -> new VpExit.EngineFailure("unexpected KVM exit %d at rip 0x%x".formatted(reason, rip()));
        };
    }

    /**
     * KVM gave up on an instruction it had to emulate. Where KVM emulates a privileged guest (PVM),
     * that includes software interrupts: INT3 and INT n become the traps they are (RIP after them);
     * anything else ends the VP as an invalid instruction.
     */
    private VpExit internalError() {
        int suberror = run().get(JAVA_INT, KvmAbi.RUN_INTERNAL_SUBERROR);
        long rip = rip();
        byte[] code = new byte[2];
        int n = regions.read(rip, code);
        if (suberror == KvmAbi.INTERNAL_ERROR_EMULATION && n >= 1 && (code[0] == (byte) 0xCC || (code[0] == (byte) 0xCD && n == 2))) {
            int vector = code[0] == (byte) 0xCC ? 3 : code[1] & 0xFF;
            regs.setGpr(KvmRegisters.RIP, rip + (code[0] == (byte) 0xCC ? 1 : 2));
            return new VpExit.Exception(vector, "software interrupt %d at rip 0x%x".formatted(vector, rip));
        }
        return new VpExit.Exception(UD, "KVM could not emulate the instruction at rip 0x%x (suberror %d)".formatted(rip, suberror));
    }

    private MemorySegment run() {
        return vcpu.runArea();
    }

    private long rip() {
        return regs.gpr(KvmRegisters.RIP);
    }

    private VpExit mmio() {
        long address = run().get(JAVA_LONG, KvmAbi.RUN_MMIO_PHYS_ADDR);
        boolean write = run().get(JAVA_BYTE, KvmAbi.RUN_MMIO_IS_WRITE) != 0;
        if (!write) {
            return strayRead(address);
        }
        if (address >= SupervisorArea.DOORBELL && address < SupervisorArea.DOORBELL + IdentityMap.PAGE) {
            return doorbell(address);
        }
        // A store the emulator already completed (RIP is past it) to an address with no memory.
        return new VpExit.MemoryViolation(address, MemoryAccess.WRITE, false);
    }

    /**
     * A store to the doorbell. From one of the hypercall page's stubs (its bytes are there, ending at
     * RIP) it is that entry's call; from anywhere else it is a store to memory that does not exist.
     */
    private VpExit doorbell(long address) {
        long rip = rip();
        KvmHypercallPage.ExitPoint exit = KvmHypercallPage.exitEndingAt((int) (rip & (IdentityMap.PAGE - 1)));
        long page = rip & ~(IdentityMap.PAGE - 1);
        if (exit == null || exit.doorbell() != address || !stubPresent(page, exit)) {
            return new VpExit.MemoryViolation(address, MemoryAccess.WRITE, false);
        }
        regs.setGpr(KvmRegisters.RIP, page + exit.resume());
        return switch (exit.kind()) {
            case HYPERCALL -> new VpExit.Hypercall(exit.instructionLength());
            case HALT -> HALT;
            case OUTB, OUTW, OUTL -> {
                int size = exit.accessSize();
                long value = run().get(JAVA_LONG, KvmAbi.RUN_MMIO_DATA) & mask(size);
                int port = (int) (regs.gpr(KvmRegisters.RDX) & 0xFFFF);
                yield portOut(port, size, value);
            }
        };
    }

    /**
     * A VP stopped (kicked) inside a stub, between an entry's jmp and its store, is put back on the
     * entry: re-executing the jmp has no effect, and the standard page has no instruction there, so
     * the VP must never be seen at such a place (a state saved here resumes on either backend).
     */
    void leaveStub() {
        long rip = rip();
        KvmHypercallPage.ExitPoint exit = KvmHypercallPage.exitContaining((int) (rip & (IdentityMap.PAGE - 1)));
        long page = rip & ~(IdentityMap.PAGE - 1);
        if (exit != null && stubPresent(page, exit)) {
            regs.setGpr(KvmRegisters.RIP, page + exit.entry());
        }
    }

    private boolean stubPresent(long page, KvmHypercallPage.ExitPoint exit) {
        byte[] bytes = new byte[exit.stubBytes().length];
        return regions.read(page + exit.stub(), bytes) == bytes.length && Arrays.equals(bytes, exit.stubBytes());
    }

    /**
     * A load from an address with no memory (the doorbell, or a page a privileged guest mapped itself).
     * KVM insists on finishing the instruction, so it finishes with all-ones and the general
     * registers are then put back: to the guest the load never happened, RIP is at it, and the
     * kernel sees an unmapped-GPA read that retrying repeats.
     */
    private VpExit strayRead(long address) {
        long[] saved = new long[18];
        for (int i = 0; i < saved.length; i++) {
            saved[i] = regs.gpr(i * 8L);
        }
        run().asSlice(KvmAbi.RUN_MMIO_DATA, 8).fill((byte) 0xFF);
        complete();
        for (int i = 0; i < saved.length; i++) {
            regs.setGpr(i * 8L, saved[i]);
        }
        return new VpExit.MemoryViolation(address, MemoryAccess.READ, false);
    }

    /** Finishes a pending I/O or MMIO instruction in KVM without running the guest further. */
    private void complete() {
        kick.forCompletion(true);
        try {
            vcpu.enter(kick);
        } finally {
            kick.forCompletion(false);
        }
    }

    /** RDMSR the filter sent to user space (privileged mode): the value, or error 1 and KVM injects #GP. */
    private VpExit readMsr() {
        OptionalLong value = intercepts.readMsr(run().get(JAVA_INT, KvmAbi.RUN_MSR_INDEX));
        run().set(JAVA_LONG, KvmAbi.RUN_MSR_DATA, value.orElse(0));
        run().set(JAVA_BYTE, KvmAbi.RUN_MSR_ERROR, (byte) (value.isPresent() ? 0 : 1));
        return null;
    }

    private VpExit writeMsr() {
        boolean taken = intercepts.writeMsr(run().get(JAVA_INT, KvmAbi.RUN_MSR_INDEX), run().get(JAVA_LONG, KvmAbi.RUN_MSR_DATA));
        run().set(JAVA_BYTE, KvmAbi.RUN_MSR_ERROR, (byte) (taken ? 0 : 1));
        return taken ? AFTER_MSR_WRITE : null;
    }

    private VpExit io() {
        MemorySegment run = run();
        int port = run.get(JAVA_SHORT, KvmAbi.RUN_IO_PORT) & 0xFFFF;
        int size = run.get(JAVA_BYTE, KvmAbi.RUN_IO_SIZE);
        boolean out = run.get(JAVA_BYTE, KvmAbi.RUN_IO_DIRECTION) == KvmAbi.EXIT_IO_OUT;
        int vector = SupervisorArea.stubVector(rip());
        if (out && port == SupervisorArea.STUB_PORT && vector >= 0) {
            return exception(vector);
        }
        long dataOffset = run.get(JAVA_LONG, KvmAbi.RUN_IO_DATA_OFFSET);
        int count = Math.max(1, run.get(JAVA_INT, KvmAbi.RUN_IO_COUNT)); // INS/OUTS move several at once
        VpExit exit = null;
        for (int i = 0; i < count; i++) {
            long at = dataOffset + (long) i * size;
            if (out) {
                VpExit e = portOut(port, size, run.get(JAVA_LONG.withByteAlignment(1), at) & mask(size));
                exit = e != null ? e : exit;
            } else {
                long value = intercepts.portIn(port, size);
                for (int b = 0; b < size; b++) {
                    run.set(JAVA_BYTE, at + b, (byte) (value >>> (8 * b)));
                }
            }
        }
        complete();
        return exit;
    }

    private VpExit portOut(int port, int size, long value) {
        boolean handled;
        try {
            handled = intercepts.portOut(port, size, value);
        } catch (RuntimeException e) {
            handled = false;
        }
        return handled ? null : new VpExit.IoPortWrite(port, size, value);
    }

    private VpExit exception(int vector) {
        SupervisorArea.ExceptionFrame frame = area.frame(vector, regs.gpr(KvmRegisters.RSP));
        regs.unwind(frame);
        return switch (vector) {
            case PF -> pageFault(frame);
            case GP -> frame.errorCode() == 0 && mode == PrivilegeMode.DEPRIVILEGED ? privileged(frame) : fault(frame);
            case UD -> new VpExit.InvalidOpcode(frame.rip());
            default -> fault(frame);
        };
    }

    private VpExit pageFault(SupervisorArea.ExceptionFrame frame) {
        long address = regs.cr2();
        long error = frame.errorCode();
        MemoryAccess access = (error & PF_FETCH) != 0 ? MemoryAccess.EXECUTE
                : (error & PF_WRITE) != 0 ? MemoryAccess.WRITE : MemoryAccess.READ;
        return new VpExit.MemoryViolation(address, access, regions.find(address) != null);
    }

    private static VpExit fault(SupervisorArea.ExceptionFrame frame) {
        return new VpExit.Exception(frame.vector(), "exception %d at rip 0x%x (error code 0x%x)"
                .formatted(frame.vector(), frame.rip(), frame.errorCode()));
    }

    /** #GP from a deprivileged guest: carries out HLT, IN, OUT, CLI and STI, which the guest may use at CPL 0. */
    private VpExit privileged(SupervisorArea.ExceptionFrame frame) {
        byte[] code = new byte[PrivilegedInstruction.MAX_LENGTH];
        int available = regions.read(frame.rip(), code);
        PrivilegedInstruction insn = PrivilegedInstruction.decode(code, available);
        if (insn == null) {
            return fault(frame);
        }
        regs.setGpr(KvmRegisters.RIP, frame.rip() + insn.length());
        long rax = regs.gpr(KvmRegisters.RAX);
        return switch (insn) {
            case PrivilegedInstruction.Halt h -> HALT;
            case PrivilegedInstruction.InterruptFlag f -> {
                regs.setVirtualInterruptFlag(f.set());
                yield null;
            }
            case PrivilegedInstruction.PortOut o -> portOut(port(o.port()), o.size(), rax & mask(o.size()));
            case PrivilegedInstruction.PortIn in -> {
                long value = intercepts.portIn(port(in.port()), in.size()) & mask(in.size());
                regs.setGpr(KvmRegisters.RAX, in.size() == 4 ? value : (rax & ~mask(in.size())) | value);
                yield null;
            }
            case PrivilegedInstruction.ReadMsr r -> {
                OptionalLong value = intercepts.readMsr((int) regs.gpr(KvmRegisters.RCX));
                if (value.isEmpty()) {
                    regs.setGpr(KvmRegisters.RIP, frame.rip());
                    yield fault(frame);
                }
                regs.setGpr(KvmRegisters.RAX, value.getAsLong() & 0xFFFF_FFFFL);
                regs.setGpr(KvmRegisters.RDX, value.getAsLong() >>> 32);
                yield null;
            }
            case PrivilegedInstruction.WriteMsr w -> {
                long value = (regs.gpr(KvmRegisters.RDX) << 32) | (rax & 0xFFFF_FFFFL);
                if (!intercepts.writeMsr((int) regs.gpr(KvmRegisters.RCX), value)) {
                    regs.setGpr(KvmRegisters.RIP, frame.rip());
                    yield fault(frame);
                }
                yield AFTER_MSR_WRITE;
            }
        };
    }

    private int port(int decoded) {
        return decoded == PrivilegedInstruction.PORT_IN_DX ? (int) (regs.gpr(KvmRegisters.RDX) & 0xFFFF) : decoded;
    }

    private static long mask(int size) {
        return size >= 8 ? -1L : (1L << (8 * size)) - 1;
    }
}
