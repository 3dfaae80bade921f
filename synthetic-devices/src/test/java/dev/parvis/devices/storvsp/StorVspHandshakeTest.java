package dev.parvis.devices.storvsp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parvis.devices.storvsp.protocol.NtStatus;
import dev.parvis.devices.storvsp.protocol.ProtocolVersion;
import dev.parvis.devices.storvsp.protocol.ScsiRequest;
import dev.parvis.devices.storvsp.protocol.VersionBody;
import dev.parvis.devices.storvsp.protocol.VstorOperation;
import dev.parvis.devices.storvsp.protocol.VstorPacket;
import dev.parvis.devices.storvsp.protocol.ChannelProperties;
import dev.parvis.devices.storvsp.protocol.SrbStatus;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StorVspHandshakeTest {
    @TempDir
    Path dir;

    private static byte[] versionBody(int majorMinor) {
        byte[] body = new byte[VstorPacket.BODY_SIZE];
        new VersionBody(new ProtocolVersion(majorMinor), 0).write(MemorySegment.ofArray(body));
        return body;
    }

    @ParameterizedTest
    @ValueSource(ints = {0x0602, 0x0600, 0x0501, 0x0402, 0x0200})
    void theHandshakeAcceptsEachVersionLinuxOffersAndEchoesIt(int majorMinor) throws Exception {
        try (StorageLoopback s = new StorageLoopback(new StorVsp(StorVsp.controllerInstance(0)))) {
            s.open();
            assertEquals(NtStatus.SUCCESS, s.storvsc.control(VstorOperation.BEGIN_INITIALIZATION, new byte[0]).status());
            VstorPacket reply = s.storvsc.control(VstorOperation.QUERY_PROTOCOL_VERSION, versionBody(majorMinor));
            assertEquals(NtStatus.SUCCESS, reply.status());
            assertEquals(VstorOperation.COMPLETE_IO, reply.operation());
            assertEquals(majorMinor, VersionBody.read(reply.bodySegment()).version().majorMinor());
            VstorPacket properties = s.storvsc.control(VstorOperation.QUERY_PROPERTIES, new byte[0]);
            assertEquals(NtStatus.SUCCESS, properties.status());
            assertEquals(StorVsp.MAX_TRANSFER_BYTES, ChannelProperties.read(properties.bodySegment()).maxTransferBytes());
            assertEquals(NtStatus.SUCCESS, s.storvsc.control(VstorOperation.END_INITIALIZATION, new byte[0]).status());
        }
    }

    @Test
    void anUnknownVersionIsARevisionMismatchAndTheNextLowerOneIsAccepted() throws Exception {
        try (StorageLoopback s = new StorageLoopback(new StorVsp(StorVsp.controllerInstance(0)))) {
            s.open();
            s.storvsc.control(VstorOperation.BEGIN_INITIALIZATION, new byte[0]);
            assertEquals(NtStatus.REVISION_MISMATCH,
                    s.storvsc.control(VstorOperation.QUERY_PROTOCOL_VERSION, versionBody(0x0700)).status());
            assertEquals(NtStatus.INVALID_DEVICE_STATE,
                    s.storvsc.control(VstorOperation.END_INITIALIZATION, new byte[0]).status(), "END before a version");
            assertEquals(NtStatus.SUCCESS,
                    s.storvsc.control(VstorOperation.QUERY_PROTOCOL_VERSION, versionBody(0x0602)).status());
        }
    }

    @Test
    void anSrbBeforeTheHandshakeEndsIsRefusedAsInvalidDeviceStateInbandOrGpaDirect() throws Exception {
        try (StorageLoopback s = new StorageLoopback(new StorVsp(StorVsp.controllerInstance(0)))) {
            s.attach(dir, 0, 1 << 20, false);
            s.open();
            s.storvsc.control(VstorOperation.BEGIN_INITIALIZATION, new byte[0]);
            var inband = s.run(0, Cdb.testUnitReady(), ScsiRequest.DATA_UNKNOWN, null, 0, 0);
            assertEquals(NtStatus.INVALID_DEVICE_STATE, inband.status(), "inband");
            var gpaDirect = s.run(0, Cdb.read10(0, 1), ScsiRequest.DATA_IN, s.memory.allocate(1), 0, 512);
            assertEquals(NtStatus.INVALID_DEVICE_STATE, gpaDirect.status(), "GPA-direct");
        }
    }

    @Test
    void afterTheHandshakeTestUnitReadySucceedsOnAnAttachedLunAndNamesAMissingOneInvalidLun() throws Exception {
        try (StorageLoopback s = new StorageLoopback(new StorVsp(StorVsp.controllerInstance(0)))) {
            s.attach(dir, 0, 1 << 20, false);
            assertEquals(ProtocolVersion.WIN10, s.ready().version());
            var ok = s.run(0, Cdb.testUnitReady(), ScsiRequest.DATA_UNKNOWN, null, 0, 0);
            assertEquals(SrbStatus.SUCCESS.raw(), ok.srbStatus().raw(), ok.toString());
            var missing = s.run(5, Cdb.testUnitReady(), ScsiRequest.DATA_UNKNOWN, null, 0, 0);
            assertEquals(SrbStatus.INVALID_LUN.raw(), missing.srbStatus().raw(), missing.toString());
            assertEquals(List.of(0), List.copyOf(s.controller.lunNumbers()));
        }
    }
}
