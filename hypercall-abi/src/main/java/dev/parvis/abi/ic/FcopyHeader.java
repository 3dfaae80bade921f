package dev.parvis.abi.ic;

import dev.parvis.abi.vmbus.Guid;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

/** The header of every file copy body (reference section 9.8): {@code IcConstants.FCOPY_*} and two service ids. */
public record FcopyHeader(int operation, Guid serviceId0, Guid serviceId1) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("operation"),
            Guid.LAYOUT.withName("service_id0"),
            Guid.LAYOUT.withName("service_id1"));
    public static final int SIZE = (int) LAYOUT.byteSize();

    private static final long OPERATION = offset(LAYOUT, "operation");
    private static final long SERVICE_ID0 = offset(LAYOUT, "service_id0");
    private static final long SERVICE_ID1 = offset(LAYOUT, "service_id1");

    public static FcopyHeader of(int operation) {
        return new FcopyHeader(operation, Guid.NULL, Guid.NULL);
    }

    public static FcopyHeader read(MemorySegment s) {
        return new FcopyHeader(u32(s, OPERATION), Guid.read(s.asSlice(SERVICE_ID0, Guid.SIZE)),
                Guid.read(s.asSlice(SERVICE_ID1, Guid.SIZE)));
    }

    public void write(MemorySegment s) {
        u32(s, OPERATION, operation);
        serviceId0.write(s.asSlice(SERVICE_ID0, Guid.SIZE));
        serviceId1.write(s.asSlice(SERVICE_ID1, Guid.SIZE));
    }
}
