package dev.parvis.devices.storvsp.protocol;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.bytes;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Arrays;

/**
 * A vstor_packet (hyperv-abi-vmbus.md 10.1): operation, flags, status, then a 52-byte union (the
 * vmscsi_request, channel properties, protocol version or sub-channel count). The guest sends 64
 * bytes at protocol 5.1 and later and 48 before; {@code body} always holds 52 bytes, zero past
 * what arrived.
 */
public record VstorPacket(VstorOperation operation, int flags, NtStatus status, byte[] body) {
    public static final int HEADER_SIZE = 12;
    public static final int BODY_SIZE = 52;
    public static final int SIZE = HEADER_SIZE + BODY_SIZE;
    /** The smallest packet a guest may send: the pre-Win8 size. */
    public static final int MIN_SIZE = HEADER_SIZE + ScsiRequest.SIZE_LEGACY;
    public static final int REQUEST_COMPLETION_FLAG = 0x1;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("operation"),
            U32.withName("flags"),
            U32.withName("status"),
            MemoryLayout.sequenceLayout(BODY_SIZE, java.lang.foreign.ValueLayout.JAVA_BYTE).withName("union"));

    private static final long OPERATION = offset(LAYOUT, "operation");
    private static final long FLAGS = offset(LAYOUT, "flags");
    private static final long STATUS = offset(LAYOUT, "status");
    private static final long UNION = offset(LAYOUT, "union");

    public VstorPacket {
        if (body.length != BODY_SIZE) {
            body = Arrays.copyOf(body, BODY_SIZE);
        }
    }

    /** A host reply with an all-zero body. */
    public static VstorPacket completion(NtStatus status) {
        return new VstorPacket(VstorOperation.COMPLETE_IO, 0, status, new byte[BODY_SIZE]);
    }

    /**
     * Reads a packet from {@code s}, which holds at least {@link #MIN_SIZE} bytes (the caller checks);
     * a body shorter than 52 bytes is zero-extended.
     */
    public static VstorPacket read(MemorySegment s) {
        int bodyBytes = (int) Math.min(BODY_SIZE, s.byteSize() - UNION);
        return new VstorPacket(new VstorOperation(u32(s, OPERATION)), u32(s, FLAGS), new NtStatus(u32(s, STATUS)),
                Arrays.copyOf(bytes(s, UNION, bodyBytes), BODY_SIZE));
    }

    /** The status of the packet in {@code s} (at least {@link #MIN_SIZE} bytes), without copying its body. */
    public static NtStatus statusOf(MemorySegment s) {
        return new NtStatus(u32(s, STATUS));
    }

    /** The operation of the packet in {@code s} (at least {@link #MIN_SIZE} bytes), without copying its body. */
    public static VstorOperation operationOf(MemorySegment s) {
        return new VstorOperation(u32(s, OPERATION));
    }

    /**
     * The 52-byte body of the packet in {@code s} (at least {@link #MIN_SIZE} bytes): a slice of
     * {@code s} when the guest sent all of it, else a zero-extended copy.
     */
    public static MemorySegment bodyOf(MemorySegment s) {
        return s.byteSize() >= SIZE ? s.asSlice(UNION, BODY_SIZE) : read(s).bodySegment();
    }

    /** Writes the 12-byte header (operation, flags, status) at the start of {@code s}, leaving the body as it is. */
    public static void writeHeader(MemorySegment s, VstorOperation operation, int flags, NtStatus status) {
        u32(s, OPERATION, operation.raw());
        u32(s, FLAGS, flags);
        u32(s, STATUS, status.raw());
    }

    /** Writes the first {@code size} bytes of the packet (12 + the negotiated request size) to {@code s}. */
    public void write(MemorySegment s, int size) {
        u32(s, OPERATION, operation.raw());
        u32(s, FLAGS, flags);
        u32(s, STATUS, status.raw());
        MemorySegment.copy(MemorySegment.ofArray(body), 0, s, UNION, size - UNION);
    }

    /** The packet as {@code size} wire bytes. */
    public MemorySegment toSegment(int size) {
        MemorySegment s = MemorySegment.ofArray(new byte[size]);
        write(s, size);
        return s;
    }

    public MemorySegment bodySegment() {
        return MemorySegment.ofArray(body);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VstorPacket p && p.operation.equals(operation) && p.flags == flags
                && p.status.equals(status) && Arrays.equals(p.body, body);
    }

    @Override
    public int hashCode() {
        return operation.hashCode() * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "VstorPacket[" + operation + ", flags 0x" + Integer.toHexString(flags) + ", " + status + "]";
    }
}
