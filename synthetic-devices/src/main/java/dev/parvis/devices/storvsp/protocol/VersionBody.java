package dev.parvis.devices.storvsp.protocol;

import static dev.parvis.abi.layout.LittleEndian.U16;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u16;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/** The body of QUERY_PROTOCOL_VERSION (vmstorage_protocol_version): major_minor u16, revision u16. */
public record VersionBody(ProtocolVersion version, int revision) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U16.withName("major_minor"),
            U16.withName("revision"));

    private static final long MAJOR_MINOR = offset(LAYOUT, "major_minor");
    private static final long REVISION = offset(LAYOUT, "revision");

    public static VersionBody read(MemorySegment body) {
        return new VersionBody(new ProtocolVersion(Short.toUnsignedInt(u16(body, MAJOR_MINOR))),
                Short.toUnsignedInt(u16(body, REVISION)));
    }

    public void write(MemorySegment body) {
        u16(body, MAJOR_MINOR, (short) version.majorMinor());
        u16(body, REVISION, (short) revision);
    }
}
