package dev.parvis.devices.storvsp.protocol;

import java.util.List;

/**
 * A storvsc protocol version, {@code major << 8 | minor} (hyperv-abi-vmbus.md 10.1). Versions from
 * Win8 (5.1) on carry the 52-byte vmscsi_request and a 20-byte sense buffer; older ones 36 and 18.
 */
public record ProtocolVersion(int majorMinor) {
    public static final ProtocolVersion WIN6 = new ProtocolVersion(0x0200);
    public static final ProtocolVersion WIN7 = new ProtocolVersion(0x0402);
    public static final ProtocolVersion WIN8 = new ProtocolVersion(0x0501);
    public static final ProtocolVersion WIN8_1 = new ProtocolVersion(0x0600);
    public static final ProtocolVersion WIN10 = new ProtocolVersion(0x0602);

    /** What storvsp accepts: every version Linux's storvsc offers (6.2, 6.0, 5.1) and the two before. */
    public static final List<ProtocolVersion> ACCEPTED = List.of(WIN10, WIN8_1, WIN8, WIN7, WIN6);

    public boolean accepted() {
        return ACCEPTED.contains(this);
    }

    /** Bytes of the vmscsi_request on the wire at this version. */
    public int requestSize() {
        return majorMinor >= WIN8.majorMinor ? ScsiRequest.SIZE_WIN8 : ScsiRequest.SIZE_LEGACY;
    }

    /** Bytes of the sense buffer at this version. */
    public int senseSize() {
        return majorMinor >= WIN8.majorMinor ? ScsiRequest.SENSE_SIZE_WIN8 : ScsiRequest.SENSE_SIZE_LEGACY;
    }

    /** Bytes of a vstor_packet at this version (header plus request). */
    public int packetSize() {
        return VstorPacket.HEADER_SIZE + requestSize();
    }

    @Override
    public String toString() {
        return (majorMinor >> 8 & 0xFF) + "." + (majorMinor & 0xFF);
    }
}
