package dev.parvis.abi.hv.message;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.bytes;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.lengthWithin;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * Payload of {@code HvMessageType.PARVIS_PARTITION_FAILED} (a Parvis extension, sent by the
 * hypervisor to the root's intercept SINT): the kernel failed a whole partition because its execution
 * engine failed (e.g. the CPU emulator aborted on a guest instruction). Fills the 240-byte payload:
 * the reason's length, then the reason in UTF-8 (cut to fit).
 */
public record PartitionFailedMessage(String reason) {
    public static final int REASON_BYTES = 236;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("reason_length"),
            bytes(REASON_BYTES, "reason"));

    private static final long LENGTH = offset(LAYOUT, "reason_length");
    private static final long REASON = offset(LAYOUT, "reason");

    public PartitionFailedMessage {
        Objects.requireNonNull(reason, "reason");
    }

    public static PartitionFailedMessage read(MemorySegment s) {
        int length = lengthWithin(u32(s, LENGTH), REASON_BYTES);
        return new PartitionFailedMessage(new String(bytes(s, REASON, length), StandardCharsets.UTF_8));
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        byte[] cut = Arrays.copyOf(text, Math.min(text.length, REASON_BYTES));
        u32(s, LENGTH, cut.length);
        bytes(s, REASON, REASON_BYTES, cut);
    }
}
