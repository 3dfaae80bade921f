package dev.parvis.devices.storvsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.devices.storvsp.client.StorVscCompletion;
import dev.parvis.devices.storvsp.protocol.ScsiRequest;
import dev.parvis.devices.storvsp.scsi.Sense;
import dev.parvis.devices.vhdx.VhdxDisk;
import dev.parvis.vmbus.client.GuestPages;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SCSI commands a guest's disk driver issues, answered with the data SPC-4/SBC-3 define. */
class StorVspScsiCommandsTest {
    private static final long DISK_BYTES = 8 << 20;

    @TempDir
    Path dir;
    private StorageLoopback s;
    private VhdxDisk disk;
    private GuestPages buffer;

    @BeforeEach
    void open() throws Exception {
        s = new StorageLoopback(new StorVsp(StorVsp.controllerInstance(0)));
        disk = s.attach(dir, 0, DISK_BYTES, false);
        s.attach(dir, 3, DISK_BYTES, true);
        s.ready();
        buffer = s.memory.allocate(2);
    }

    @AfterEach
    void close() throws Exception {
        s.close();
    }

    private byte[] dataIn(int lun, byte[] cdb, int length) throws Exception {
        buffer.contiguous().fill((byte) 0);
        StorVscCompletion done = s.run(lun, cdb, ScsiRequest.DATA_IN, buffer, 0, length);
        assertTrue(done.ok(), done.toString());
        return buffer.contiguous().asSlice(0, done.transferred()).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    @Test
    void standardInquiryNamesADirectAccessMsftVirtualDisk() throws Exception {
        byte[] std = dataIn(0, Cdb.inquiry(false, 0, 96), 96);
        assertEquals(36, std.length, "the residual tells the guest how much was returned");
        assertEquals(0, std[0], "peripheral device type: direct access block device");
        assertEquals("Msft    ", new String(std, 8, 8, StandardCharsets.US_ASCII));
        assertEquals("Virtual Disk    ", new String(std, 16, 16, StandardCharsets.US_ASCII));
        assertEquals(16, dataIn(0, Cdb.inquiry(false, 0, 16), 16).length, "truncated to the allocation length");
    }

    @Test
    void vpdPagesListThemselvesAndCarryTheDiskIdentityAndLimits() throws Exception {
        byte[] supported = dataIn(0, Cdb.inquiry(true, 0x00, 255), 255);
        assertArrayEquals(new byte[] {0x00, (byte) 0x80, (byte) 0x83, (byte) 0xB0, (byte) 0xB1, (byte) 0xB2},
                Arrays.copyOfRange(supported, 4, 4 + supported[3]));
        byte[] serial = dataIn(0, Cdb.inquiry(true, 0x80, 255), 255);
        assertEquals(java.util.HexFormat.of().formatHex(disk.virtualDiskId().toBytes()),
                new String(serial, 4, 32, StandardCharsets.US_ASCII));
        byte[] ids = dataIn(0, Cdb.inquiry(true, 0x83, 255), 255);
        assertEquals((byte) 0x83, ids[1]);
        assertEquals(0x01, ids[5] & 0x0F, "first designator: T10 vendor id");
        byte[] limits = dataIn(0, Cdb.inquiry(true, 0xB0, 255), 255);
        assertEquals(StorVsp.MAX_TRANSFER_BYTES / 512, ByteBuffer.wrap(limits).getInt(8), "maximum transfer length");
        byte[] characteristics = dataIn(0, Cdb.inquiry(true, 0xB1, 255), 255);
        assertEquals(1, ByteBuffer.wrap(characteristics).getShort(4), "non-rotating medium");
        StorVscCompletion unknown = s.run(0, Cdb.inquiry(true, 0xC7, 255), ScsiRequest.DATA_IN, buffer, 0, 255);
        assertEquals(Sense.INVALID_FIELD_IN_CDB, unknown.sense());
    }

    @Test
    void readCapacityReportsTheLastLbaAndSectorSizes() throws Exception {
        ByteBuffer rc10 = ByteBuffer.wrap(dataIn(0, Cdb.readCapacity10(), 8));
        assertEquals(DISK_BYTES / 512 - 1, rc10.getInt(0));
        assertEquals(512, rc10.getInt(4));
        ByteBuffer rc16 = ByteBuffer.wrap(dataIn(0, Cdb.readCapacity16(32), 32));
        assertEquals(DISK_BYTES / 512 - 1, rc16.getLong(0));
        assertEquals(512, rc16.getInt(8));
        assertEquals(3, rc16.get(13), "4096-byte physical sectors: 2^3 logical per physical");
    }

    @Test
    void reportLunsListsTheAttachedLunsInAscendingOrder() throws Exception {
        ByteBuffer list = ByteBuffer.wrap(dataIn(0, Cdb.reportLuns(256), 256));
        assertEquals(16, list.getInt(0));
        assertEquals(0, list.getShort(8));
        assertEquals(3, list.getShort(16));
    }

    @Test
    void modeSenseShowsWriteCacheAndWriteProtectOfTheReadOnlyDisk() throws Exception {
        byte[] rw = dataIn(0, Cdb.modeSense6(0x08, 255), 255);
        assertEquals(rw.length - 1, rw[0] & 0xFF);
        assertEquals(0, rw[2] & 0x80, "not write-protected");
        assertEquals(8, rw[3], "one block descriptor");
        assertEquals(0x08, rw[12] & 0x3F, "caching page");
        assertEquals(0x04, rw[14] & 0x04, "WCE");
        byte[] ro = dataIn(3, Cdb.modeSense10(0x3F, 255), 255);
        assertEquals(0x80, ro[3] & 0x80, "write-protected");
        assertEquals(ro.length - 2, (ro[0] & 0xFF) << 8 | ro[1] & 0xFF);
        StorVscCompletion saved = s.run(0, new byte[] {0x1A, 0, (byte) 0xC8, 0, (byte) 255, 0}, ScsiRequest.DATA_IN,
                buffer, 0, 255);
        assertEquals(Sense.SAVING_PARAMETERS_NOT_SUPPORTED, saved.sense());
    }

    @Test
    void synchronizeCacheAndTestUnitReadySucceedWithoutData() throws Exception {
        assertTrue(s.run(0, Cdb.synchronizeCache10(), ScsiRequest.DATA_UNKNOWN, null, 0, 0).ok());
        assertTrue(s.run(0, Cdb.synchronizeCache16(), ScsiRequest.DATA_UNKNOWN, null, 0, 0).ok());
        assertTrue(s.run(0, Cdb.testUnitReady(), ScsiRequest.DATA_UNKNOWN, null, 0, 0).ok());
    }

    @Test
    void unmappedBlocksReadBackAsZero() throws Exception {
        GuestPages data = s.memory.allocate(1);
        data.contiguous().fill((byte) 0x77);
        assertTrue(s.run(0, Cdb.write10(64, 8), ScsiRequest.DATA_OUT, data, 0, 4096).ok());
        ByteBuffer list = ByteBuffer.allocate(24);
        list.putShort((short) 22).putShort((short) 16).putInt(0).putLong(64).putInt(8).putInt(0);
        GuestPages parameters = s.memory.allocate(1);
        MemorySegment.copy(MemorySegment.ofArray(list.array()), 0, parameters.contiguous(), 0, 24);
        StorVscCompletion unmapped = s.run(0, Cdb.unmap(24), ScsiRequest.DATA_OUT, parameters, 0, 24);
        assertTrue(unmapped.ok(), unmapped.toString());
        assertTrue(s.run(0, Cdb.read10(64, 8), ScsiRequest.DATA_IN, data, 0, 4096).ok());
        assertEquals(-1, data.contiguous().mismatch(MemorySegment.ofArray(new byte[4096])));
        StorVscCompletion readOnly = s.run(3, Cdb.unmap(24), ScsiRequest.DATA_OUT, parameters, 0, 24);
        assertEquals(Sense.WRITE_PROTECTED, readOnly.sense());
    }

    @Test
    void requestSenseWithNothingPendingIsNoSense() throws Exception {
        byte[] sense = dataIn(0, Cdb.requestSense(18), 18);
        assertEquals(0x70, sense[0]);
        assertEquals(Sense.NO_SENSE, Sense.fromFixedFormat(sense));
    }
}
