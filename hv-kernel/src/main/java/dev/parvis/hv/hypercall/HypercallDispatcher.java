package dev.parvis.hv.hypercall;

import dev.parvis.abi.hv.HvCallCode;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.HypercallControl;
import dev.parvis.abi.hv.HypercallResult;
import dev.parvis.abi.hv.HypercallSpec;
import dev.parvis.abi.hv.HypercallSpecs;
import dev.parvis.hv.backend.GuestMemoryRegion;
import dev.parvis.hv.backend.VpEngine;
import dev.parvis.hv.backend.X64Register;
import dev.parvis.hv.memory.GpaMap;
import dev.parvis.hv.partition.Partition;
import dev.parvis.hv.vp.VirtualProcessor;
import dev.parvis.vmcore.log.LogBudgets;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates and routes every hypercall, from a guest VP (registers and guest pages) or from the root
 * (its gateway). The order of checks mirrors the published ABI: reserved bits, call code, privilege,
 * simple/rep shape, fast/slow form, sizes, then the input and output pages. A guest's failures are
 * always statuses; nothing a guest passes reaches a handler unchecked.
 */
public final class HypercallDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(HypercallDispatcher.class);
    private static final int PAGE = 4096;
    private static final X64Register[] GUEST_REGISTERS = {X64Register.RCX, X64Register.RDX, X64Register.R8, X64Register.RIP};

    private record Entry(HypercallSpec spec, long privilege, HypercallHandler handler) {}

    private final Entry[] table = new Entry[1 << 16];
    private final LogBudgets budgets = LogBudgets.standard();

    /** Registers {@code handler} for {@code code}; callers need every bit of {@code privilege}. */
    public void register(HvCallCode code, long privilege, HypercallHandler handler) {
        HypercallSpec spec = HypercallSpecs.lookup(code)
                .orElseThrow(() -> new IllegalArgumentException("no published shape for " + code));
        table[code.raw() & 0xFFFF] = new Entry(spec, privilege, handler);
    }

    /** Handles the VMCALL a VP just executed: inputs from RCX/RDX/R8, status to RAX. */
    public void dispatchGuest(VirtualProcessor vp, int instructionLength) {
        VpEngine engine = vp.engine();
        long[] regs = new long[GUEST_REGISTERS.length];
        engine.readRegisters(GUEST_REGISTERS, regs);
        long raw = regs[0];
        HypercallResult result;
        try {
            result = invokeGuest(vp, raw, regs[1], regs[2]);
        } catch (RuntimeException e) {
            // A handler bug must not take the host down; the guest sees a failure. The guest can
            // repeat the call at will, so the line is rate-limited (and carries no stack trace).
            budgets.of(vp.partition().id()).error(LOG, "{}: hypercall 0x{} failed inside the kernel", vp, Long.toHexString(raw), e);
            result = HypercallResult.of(HvStatus.OPERATION_FAILED);
        }
        engine.writeRegister(X64Register.RAX, result.encode());
        int repCount = (int) ((raw & HypercallControl.REP_COUNT_MASK) >>> HypercallControl.REP_COUNT_OFFSET);
        if (result.status().isSuccess() && repCount > 0 && result.repsCompleted() < repCount) {
            // Continue where this pass stopped: re-execute the VMCALL with the new start index.
            long restarted = (raw & ~HypercallControl.REP_START_MASK) | ((long) result.repsCompleted() << HypercallControl.REP_START_OFFSET);
            engine.writeRegister(X64Register.RCX, restarted);
        } else {
            engine.writeRegister(X64Register.RIP, regs[3] + instructionLength);
        }
    }

    /** The root gateway's entry: inputs are the root's own pages. */
    public HypercallResult dispatchRoot(Partition root, long raw, MemorySegment input, MemorySegment output, MemorySegment scratchIn,
                                       MemorySegment scratchOut) {
        Prepared p = prepare(root, raw);
        if (p.failure != null) {
            return p.failure;
        }
        int inSize = p.inputSize, outSize = p.outputSize;
        if (input.byteSize() < inSize || output.byteSize() < outSize) {
            return HypercallResult.of(HvStatus.INVALID_PARAMETER);
        }
        scratchIn.fill((byte) 0);
        MemorySegment.copy(input, 0, scratchIn, 0, inSize);
        return run(root, null, p, scratchIn, scratchOut, output);
    }

    /** The root gateway's fast-call entry. */
    public HypercallResult dispatchRootFast(Partition root, long raw, long rdx, long r8, MemorySegment scratchIn, MemorySegment scratchOut) {
        Prepared p = prepare(root, raw);
        if (p.failure != null) {
            return p.failure;
        }
        scratchIn.fill((byte) 0);
        scratchIn.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, rdx);
        scratchIn.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, r8);
        return run(root, null, p, scratchIn, scratchOut, null);
    }

    /** A VP's last control value and its decoding: guests repeat the same call in loops. */
    private record Memo(long raw, Prepared prepared) {}

    private Prepared prepareFor(VirtualProcessor vp, long raw) {
        if (vp.hypercallMemo() instanceof Memo m && m.raw() == raw) {
            return m.prepared();
        }
        Prepared p = prepare(vp.partition(), raw);
        vp.setHypercallMemo(new Memo(raw, p));
        return p;
    }

    private HypercallResult invokeGuest(VirtualProcessor vp, long raw, long rdx, long r8) {
        Partition caller = vp.partition();
        Prepared p = prepareFor(vp, raw);
        if (p.failure != null) {
            return p.failure;
        }
        MemorySegment in = vp.inputPage();
        MemorySegment guestOutput = null;
        if (p.control.fast()) {
            // Handlers read at most max(inputSize, 16) bytes: only that much needs defined contents.
            in.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, rdx);
            in.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, r8);
        } else {
            in.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 0L);
            in.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, 0L);
            HvStatus pages = checkPage(rdx, p.inputSize);
            if (pages == null) {
                pages = checkPage(r8, p.outputSize);
            }
            if (pages != null) {
                return HypercallResult.of(pages);
            }
            GpaMap map = caller.gpaMap();
            if (p.inputSize > 0) {
                MemorySegment guestInput = map.resolve(rdx, p.inputSize, GuestMemoryRegion.READ);
                if (guestInput == null) {
                    return HypercallResult.of(HvStatus.INVALID_PARAMETER);
                }
                MemorySegment.copy(guestInput, 0, in, 0, p.inputSize);
            }
            if (p.outputSize > 0) {
                guestOutput = map.resolve(r8, p.outputSize, GuestMemoryRegion.WRITE);
                if (guestOutput == null) {
                    return HypercallResult.of(HvStatus.INVALID_PARAMETER);
                }
            }
        }
        return run(caller, vp, p, in, vp.outputPage(), guestOutput);
    }

    private HypercallResult run(Partition caller, VirtualProcessor vp, Prepared p, MemorySegment in, MemorySegment out,
                                MemorySegment destination) {
        MemorySegment input, output;
        if (vp != null && p.inputSize <= 16 && p.outputSize <= 16) {
            input = vp.inputHead();
            output = vp.outputHead();
            output.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 0L);
            output.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, 0L);
        } else {
            out.asSlice(0, Math.max(p.outputSize, 16)).fill((byte) 0);
            input = in.asSlice(0, Math.max(p.inputSize, 16));
            output = out.asSlice(0, Math.max(p.outputSize, 16));
        }
        HypercallContext ctx = new HypercallContext(caller, vp, p.control, p.entry.spec(), input, output);
        HypercallResult result = p.entry.handler().handle(ctx);
        if (destination != null) {
            copyOut(p, result, out, destination);
        }
        return result;
    }

    /** Simple calls write output only on success; rep calls always write the completed elements. */
    private static void copyOut(Prepared p, HypercallResult result, MemorySegment out, MemorySegment destination) {
        HypercallSpec spec = p.entry.spec();
        if (spec.kind() == HypercallSpec.Kind.SIMPLE) {
            if (result.status().isSuccess() && p.outputSize > 0) {
                MemorySegment.copy(out, 0, destination, 0, p.outputSize);
            }
            return;
        }
        if (spec.outputHeaderSize() > 0 && result.status().isSuccess()) {
            MemorySegment.copy(out, 0, destination, 0, spec.outputHeaderSize());
        }
        int from = p.control.repStart();
        int to = Math.min(result.repsCompleted(), p.control.repCount());
        if (spec.outputElementSize() > 0 && to > from) {
            long offset = spec.outputHeaderSize() + (long) from * spec.outputElementSize();
            MemorySegment.copy(out, offset, destination, offset, (long) (to - from) * spec.outputElementSize());
        }
    }

    /** Input and output pages of a memory call: 8-byte aligned, and inside one page. */
    private static HvStatus checkPage(long gpa, int size) {
        if (size == 0) {
            return null;
        }
        if ((gpa & 7) != 0) {
            return HvStatus.INVALID_ALIGNMENT;
        }
        if ((gpa & (PAGE - 1)) + size > PAGE) {
            return HvStatus.INVALID_HYPERCALL_INPUT;
        }
        return null;
    }

    /** The decoding of one control value; never changed once {@link #prepare} returned it. */
    private static final class Prepared {
        HypercallResult failure;
        HypercallControl control;
        Entry entry;
        int inputSize;
        int outputSize;
    }

    private Prepared prepare(Partition caller, long raw) {
        Prepared p = new Prepared();
        HvStatus status = shape(caller, raw, p);
        if (status != null) {
            p.failure = HypercallResult.of(status);
        }
        return p;
    }

    private HvStatus shape(Partition caller, long raw, Prepared p) {
        if (HypercallControl.reservedBitsSet(raw)) {
            return HvStatus.INVALID_HYPERCALL_INPUT;
        }
        HypercallControl control = HypercallControl.decode(raw);
        Entry entry = table[control.code() & 0xFFFF];
        if (entry == null) {
            return HvStatus.INVALID_HYPERCALL_CODE;
        }
        if (!caller.has(entry.privilege())) {
            return HvStatus.ACCESS_DENIED;
        }
        HypercallSpec spec = entry.spec();
        boolean rep = spec.kind() == HypercallSpec.Kind.REP;
        if (rep ? control.repCount() == 0 || control.repStart() >= control.repCount()
                : control.repCount() != 0 || control.repStart() != 0) {
            return HvStatus.INVALID_HYPERCALL_INPUT;
        }
        if (control.variableHeaderQwords() != 0 && !spec.variableHeaderAllowed()) {
            return HvStatus.INVALID_HYPERCALL_INPUT;
        }
        if (control.nested()) {
            return HvStatus.INVALID_HYPERCALL_INPUT;
        }
        long reps = rep ? control.repCount() : 0;
        long inSize = spec.inputHeaderSize() + control.variableHeaderQwords() * 8L + spec.inputElementSize() * reps;
        long outSize = spec.outputHeaderSize() + spec.outputElementSize() * reps;
        if (inSize > PAGE || outSize > PAGE) {
            return HvStatus.INVALID_HYPERCALL_INPUT;
        }
        if (control.fast() ? !spec.fastAllowed() || inSize > 16 || outSize > 0 : !spec.slowAllowed()) {
            return HvStatus.INVALID_HYPERCALL_INPUT;
        }
        p.control = control;
        p.entry = entry;
        p.inputSize = (int) inSize;
        p.outputSize = (int) outSize;
        return null;
    }
}
