package dev.parvis.devices.storvsp.fuzz;

import dev.parvis.abi.vmbus.PacketType;
import dev.parvis.devices.storvsp.fuzz.Expectation.ControlReply;
import dev.parvis.devices.storvsp.fuzz.Expectation.SrbOutcome;
import dev.parvis.devices.storvsp.fuzz.Expectation.SrbReply;
import dev.parvis.devices.storvsp.protocol.ScsiRequest;
import dev.parvis.devices.storvsp.scsi.Sense;
import dev.parvis.vmbus.ring.IncomingPacket;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Checks one completion against what the model expects: a COMPLETION packet of the expected size
 * holding COMPLETE_IO, and for a control operation the status and body, for an SRB the request
 * echoed with one of the allowed outcomes (status, SCSI status, bytes moved, sense data exactly
 * as fixed-format sense of the negotiated size, or none). Throws AssertionError saying what differs.
 */
final class CompletionCheck {
    private static final int BODY = 12;
    private static final int SENSE_AREA = 20;

    private CompletionCheck() {
    }

    private static byte[] payload(IncomingPacket p, int size) {
        if (!p.type().equals(PacketType.COMPLETION)) {
            throw new AssertionError("a " + p.type() + " packet where a completion was due");
        }
        byte[] bytes = p.payload().toArray(ValueLayout.JAVA_BYTE);
        if (bytes.length != FuzzPacket.align8(size)) {
            throw new AssertionError("completion of " + bytes.length + " bytes, expected " + size);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != StorVspModel.COMPLETE_IO || b.getInt(4) != 0) {
            throw new AssertionError("completion operation %d flags 0x%x".formatted(b.getInt(0), b.getInt(4)));
        }
        return bytes;
    }

    static int control(ControlReply expected, IncomingPacket p) {
        byte[] bytes = payload(p, expected.size());
        int status = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(8);
        if (!expected.statuses().contains(status)) {
            throw new AssertionError("status 0x%08x, expected one of %s".formatted(status,
                    expected.statuses().stream().map(s -> "0x%08x".formatted(s)).toList()));
        }
        byte[] body = Arrays.copyOfRange(bytes, BODY, expected.size());
        byte[] want = Arrays.copyOf(expected.body(), body.length);
        if (!Arrays.equals(body, want)) {
            throw new AssertionError("body " + HexFormat.of().formatHex(body) + ", expected " + HexFormat.of().formatHex(want));
        }
        return status;
    }

    /** The allowed outcome the completion shows. */
    static SrbOutcome srb(SrbReply expected, IncomingPacket p) {
        byte[] bytes = payload(p, expected.size());
        if (ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(8) != 0) {
            throw new AssertionError("an SRB's completion with a packet status other than SUCCESS");
        }
        byte[] body = Arrays.copyOf(Arrays.copyOfRange(bytes, BODY, bytes.length), ScsiRequest.SIZE_WIN8);
        ScsiRequest done = ScsiRequest.read(java.lang.foreign.MemorySegment.ofArray(body));
        ScsiRequest asked = expected.request();
        if (done.pathId() != asked.pathId() || done.targetId() != asked.targetId() || done.lun() != asked.lun()
                || done.cdbLength() != asked.cdbLength() || done.dataIn() != asked.dataIn()) {
            throw new AssertionError("the completion does not echo the request's address, CDB length and direction: "
                    + done + " for " + asked);
        }
        for (SrbOutcome o : expected.allowed()) {
            if (matches(o, done, expected.senseSize())) {
                return o;
            }
        }
        throw new AssertionError("answered srb 0x%02x scsi 0x%02x, %s bytes, sense length %d %s; allowed: %s".formatted(
                done.srbStatus(), done.scsiStatus(), Integer.toUnsignedString(done.dataTransferLength()),
                done.senseInfoLength(), HexFormat.of().formatHex(done.cdbOrSense()),
                expected.allowed().stream().map(o -> o.kind() + (o.good() ? " " + o.transferred() + " bytes" : "")).toList()));
    }

    private static boolean matches(SrbOutcome o, ScsiRequest done, int senseSize) {
        if (done.srbStatus() != o.srbStatus() || done.scsiStatus() != o.scsiStatus()
                || Integer.toUnsignedLong(done.dataTransferLength()) != o.transferred()) {
            return false;
        }
        byte[] want = new byte[SENSE_AREA];
        if (o.sense() != null) {
            System.arraycopy(fixedFormat(o.sense(), senseSize), 0, want, 0, senseSize);
        }
        return done.senseInfoLength() == (o.sense() == null ? 0 : senseSize) && Arrays.equals(done.cdbOrSense(), want);
    }

    /** SPC-4 4.5.3: response code 0x70, sense key, additional length 10, ASC, ASCQ; cut to {@code size}. */
    static byte[] fixedFormat(Sense sense, int size) {
        byte[] b = new byte[Math.max(18, size)];
        b[0] = 0x70;
        b[2] = (byte) sense.key();
        b[7] = 10;
        b[12] = (byte) sense.asc();
        b[13] = (byte) sense.ascq();
        return Arrays.copyOf(b, size);
    }
}
