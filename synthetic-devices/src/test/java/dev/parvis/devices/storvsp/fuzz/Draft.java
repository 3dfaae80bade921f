package dev.parvis.devices.storvsp.fuzz;

import dev.parvis.abi.vmbus.PacketType;
import dev.parvis.abi.vmbus.VmbusConstants;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A packet the fuzzing guest is building: a 64-byte vstor_packet (of which {@code sendBytes} go on
 * the ring), an optional GPA-direct header, and for an EXECUTE_SRB what the well-formed request was
 * (the fields mutations aim at). Little-endian vstor and SRB fields; the CDB is big-endian.
 */
final class Draft {
    /** Where the SRB starts in the vstor packet, and its fields' offsets in it. */
    static final int SRB = 12;
    static final int LUN = SRB + 7;
    static final int PATH = SRB + 5;
    static final int TARGET = SRB + 6;
    static final int PORT = SRB + 4;
    static final int CDB_LENGTH = SRB + 8;
    static final int SENSE_LENGTH = SRB + 9;
    static final int DATA_IN = SRB + 10;
    static final int TRANSFER_LENGTH = SRB + 12;
    static final int CDB = SRB + 16;
    static final int SRB_FLAGS = SRB + 40;

    byte[] payload = new byte[64];
    int sendBytes = 64;
    byte[] header;
    PacketType type = PacketType.DATA_INBAND;
    int flags = VmbusConstants.PACKET_FLAG_COMPLETION_REQUESTED;
    long transactionId;
    final List<String> labels = new ArrayList<>();

    // What the request was before mutation (SRB drafts only).
    ScsiModel.Kind kind;
    ShadowDisk unit;
    int cdbLength;
    long lba;
    long blocks;
    int length;
    /** The data-area pages this request may name (claimed for it alone), or empty. */
    int[] region = new int[0];

    ByteBuffer vstor() {
        return ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The CDB area (20 bytes, big-endian fields). */
    ByteBuffer cdb() {
        return ByteBuffer.wrap(payload, CDB, 20).slice();
    }

    ByteBuffer gpa() {
        return ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** PFN slots of a one-range header (from the header's length). */
    int pfnCount() {
        return header == null ? 0 : Math.max(0, (header.length - 16) / 8);
    }

    void label(String what) {
        labels.add(what);
    }

    FuzzPacket toPacket(int caseIndex) {
        return new FuzzPacket(caseIndex, String.join(", ", labels), type, flags, transactionId,
                header == null ? new byte[0] : header.clone(), Arrays.copyOf(payload, sendBytes));
    }
}
