package dev.parvis.hv.vp;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.message.InterceptHeader;
import dev.parvis.abi.hv.message.IoPortInterceptMessage;
import dev.parvis.abi.hv.message.MemoryInterceptMessage;
import dev.parvis.abi.hv.message.PartitionFailedMessage;
import dev.parvis.abi.hv.message.SegmentValue;
import dev.parvis.abi.hv.message.UnrecoverableExceptionMessage;
import dev.parvis.hv.backend.SegmentRegister;
import dev.parvis.hv.backend.VpEngine;
import dev.parvis.hv.backend.VpExit;
import dev.parvis.hv.backend.X64Register;
import dev.parvis.hv.partition.Partition;
import dev.parvis.hv.synic.SynicTarget;
import dev.parvis.vmcore.RootSynic;
import java.lang.foreign.MemorySegment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns guest events the kernel does not handle itself into intercept messages for the root
 * (reference 5.2), and suspends the VP until the root resolves them by clearing its
 * InterceptSuspend register (after mapping a page, say) or deleting it.
 */
public final class InterceptReporter {
    private static final Logger LOG = LoggerFactory.getLogger(InterceptReporter.class);
    private static final X64Register[] HEADER_REGISTERS = {X64Register.RIP, X64Register.RFLAGS, X64Register.RAX};

    private final SynicTarget root;

    public InterceptReporter(SynicTarget root) {
        this.root = root;
    }

    void memoryViolation(VirtualProcessor vp, VpExit.MemoryViolation mv) {
        long[] regs = registers(vp.engine());
        HvMessageType type = mv.mapped() ? HvMessageType.GPA_INTERCEPT : HvMessageType.UNMAPPED_GPA;
        var body = new MemoryInterceptMessage(header(vp, regs, (byte) mv.access().ordinal()), 6, (byte) 0, (byte) 0,
                mv.gpa(), mv.gpa(), new byte[16]);
        report(vp, type, bytes(MemoryInterceptMessage.LAYOUT.byteSize(), body::write),
                "%s at GPA 0x%x (%s) rip=0x%x".formatted(type, mv.gpa(), mv.access(), regs[0]));
    }

    void ioPortWrite(VirtualProcessor vp, VpExit.IoPortWrite io) {
        long[] regs = registers(vp.engine());
        var body = new IoPortInterceptMessage(header(vp, regs, (byte) 1), (short) io.port(), (byte) io.size(), (byte) 0, io.value());
        report(vp, HvMessageType.X64_IO_PORT_INTERCEPT, bytes(IoPortInterceptMessage.LAYOUT.byteSize(), body::write),
                "out 0x%x <- 0x%x".formatted(io.port(), io.value()));
    }

    void unrecoverable(VirtualProcessor vp, int vector, String detail) {
        long[] regs = registers(vp.engine());
        var body = new UnrecoverableExceptionMessage(header(vp, regs, (byte) 2), vector);
        report(vp, HvMessageType.UNRECOVERABLE_EXCEPTION, bytes(UnrecoverableExceptionMessage.LAYOUT.byteSize(), body::write),
                "exception %d: %s".formatted(vector, detail));
    }

    /**
     * The VP's execution engine failed: the whole partition is failed (no VP of it runs again) and
     * the root is told why. Its registers are not read: the engine is no longer usable.
     */
    void partitionFailed(VirtualProcessor vp, String reason) {
        Partition partition = vp.partition();
        if (!partition.fail(reason)) {
            return;
        }
        LOG.warn("{} failed: {}", partition, reason);
        var body = new PartitionFailedMessage(reason);
        byte[] payload = bytes(PartitionFailedMessage.LAYOUT.byteSize(), body::write);
        HvStatus status = root.postMessage(RootSynic.INTERCEPT_SINT,
                new HvMessage(HvMessageType.PARVIS_PARTITION_FAILED, (byte) 0, partition.id(), payload));
        if (!status.isSuccess()) {
            LOG.error("{}: failure report lost ({})", partition, status);
        }
    }

    private void report(VirtualProcessor vp, HvMessageType type, byte[] payload, String what) {
        vp.partition().intercepts().incrementAndGet();
        vp.setInterceptSuspend(true);
        HvMessage message = new HvMessage(type, (byte) 0, vp.partition().id(), payload);
        HvStatus status = root.postMessage(RootSynic.INTERCEPT_SINT, message);
        LOG.debug("{}: intercept {}", vp, what);
        if (!status.isSuccess()) {
            LOG.error("{}: intercept lost ({}), VP stays suspended: {}", vp, status, what);
        }
    }

    private static InterceptHeader header(VirtualProcessor vp, long[] regs, byte accessType) {
        SegmentRegister cs = vp.engine().readSegment(X64Register.CS);
        // Execution state: CPL 0, CR0.PE (bit 2) and EFER.LMA (bit 4): the boot protocol's long mode.
        short executionState = (short) ((1 << 2) | (1 << 4));
        return new InterceptHeader(vp.index(), (byte) 0, accessType, executionState,
                new SegmentValue(cs.base(), cs.limit(), cs.selector(), cs.attributes()), regs[0], regs[1]);
    }

    private static long[] registers(VpEngine engine) {
        long[] values = new long[HEADER_REGISTERS.length];
        engine.readRegisters(HEADER_REGISTERS, values);
        return values;
    }

    private static byte[] bytes(long size, java.util.function.Consumer<MemorySegment> writer) {
        byte[] out = new byte[(int) size];
        writer.accept(MemorySegment.ofArray(out));
        return out;
    }
}
