package dev.parvis.devices.storvsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.devices.storvsp.client.StorVscCompletion;
import dev.parvis.devices.storvsp.protocol.ScsiRequest;
import dev.parvis.devices.storvsp.protocol.SrbStatus;
import dev.parvis.devices.storvsp.scsi.Sense;
import dev.parvis.vmbus.client.GuestPages;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every guest field is hostile: each bad request gets its SRB status or sense, and touches nothing else. */
class StorVspHostileGuestTest {
    private static final long DISK_BYTES = 4 << 20;
    private static final long BLOCKS = DISK_BYTES / 512;

    @TempDir
    Path dir;
    private StorageLoopback s;
    private GuestPages buffer;

    @BeforeEach
    void open() throws Exception {
        s = new StorageLoopback(new StorVsp(StorVsp.controllerInstance(0)));
        s.attach(dir, 0, DISK_BYTES, false);
        s.attach(dir, 1, DISK_BYTES, true);
        s.ready();
        buffer = s.memory.allocate(4);
        buffer.contiguous().fill((byte) 0x5A);
    }

    @AfterEach
    void close() throws Exception {
        assertTrue(s.memory.guardsIntact(), "nothing outside the guest's buffers was touched");
        s.close();
    }

    private static void assertCheck(StorVscCompletion done, Sense expected) {
        assertEquals(SrbStatus.ERROR.withAutosense().raw(), done.srbStatus().raw(), done.toString());
        assertEquals(0x02, done.scsiStatus(), "CHECK CONDITION");
        assertEquals(expected, done.sense());
        assertEquals(ScsiRequest.SENSE_SIZE_WIN8, done.srb().senseInfoLength());
    }

    private void assertBufferUntouched() {
        MemorySegment all = buffer.contiguous();
        for (long i = 0; i < all.byteSize(); i++) {
            assertEquals(0x5A, all.get(ValueLayout.JAVA_BYTE, i), "buffer byte " + i);
        }
    }

    @Test
    void aReadPastTheLastBlockIsLbaOutOfRange() throws Exception {
        assertCheck(s.run(0, Cdb.read10(BLOCKS - 4, 8), ScsiRequest.DATA_IN, buffer, 0, 4096), Sense.LBA_OUT_OF_RANGE);
        assertCheck(s.run(0, Cdb.read16(BLOCKS, 8), ScsiRequest.DATA_IN, buffer, 0, 4096), Sense.LBA_OUT_OF_RANGE);
        assertBufferUntouched();
    }

    @Test
    void anLbaThatOverflowsSixtyFourBitsIsLbaOutOfRange() throws Exception {
        assertCheck(s.run(0, Cdb.read16(-8L, 8), ScsiRequest.DATA_IN, buffer, 0, 4096), Sense.LBA_OUT_OF_RANGE);
        assertCheck(s.run(0, Cdb.write16(Long.MAX_VALUE, 8), ScsiRequest.DATA_OUT, buffer, 0, 4096), Sense.LBA_OUT_OF_RANGE);
        assertBufferUntouched();
    }

    @Test
    void aCdbLengthDifferentFromTheBufferIsInvalidFieldInCdb() throws Exception {
        assertCheck(s.run(0, Cdb.read10(0, 9), ScsiRequest.DATA_IN, buffer, 0, 4096), Sense.INVALID_FIELD_IN_CDB);
        assertCheck(s.run(0, Cdb.write10(0, 7), ScsiRequest.DATA_OUT, buffer, 0, 4096), Sense.INVALID_FIELD_IN_CDB);
        assertBufferUntouched();
    }

    @Test
    void aTransferLengthDifferentFromTheGpaRangeIsAnInvalidRequest() throws Exception {
        ScsiRequest srb = s.storvsc.srb(0, Cdb.read10(0, 8), ScsiRequest.DATA_IN, 4096);
        StorVscCompletion done = s.storvsc.execute(srb, new long[] {buffer.gpns()[0], buffer.gpns()[1]}, 0, 8192)
                .get(30, TimeUnit.SECONDS);
        assertEquals(SrbStatus.INVALID_REQUEST.raw(), done.srbStatus().raw(), done.toString());
        ScsiRequest noBuffer = s.storvsc.srb(0, Cdb.read10(0, 8), ScsiRequest.DATA_IN, 4096);
        done = s.storvsc.execute(noBuffer, new long[0], 0, 0).get(30, TimeUnit.SECONDS);
        assertEquals(SrbStatus.INVALID_REQUEST.raw(), done.srbStatus().raw(), "a length without a buffer");
        assertBufferUntouched();
    }

    @Test
    void aGpaRangeOutsideGuestRamIsAnInvalidRequest() throws Exception {
        ScsiRequest srb = s.storvsc.srb(0, Cdb.read10(0, 8), ScsiRequest.DATA_IN, 4096);
        for (long pfn : new long[] {s.memory.unmappedGpn(), 0, -1L, 1L << 52}) {
            StorVscCompletion done = s.storvsc.execute(srb, new long[] {pfn}, 0, 4096).get(30, TimeUnit.SECONDS);
            assertEquals(SrbStatus.INVALID_REQUEST.raw(), done.srbStatus().raw(), "PFN 0x" + Long.toHexString(pfn));
        }
        // A range that runs one page past the buffer into a page the guest does not have.
        long[] pfns = {buffer.gpns()[3], s.memory.unmappedGpn()};
        ScsiRequest two = s.storvsc.srb(0, Cdb.read10(0, 16), ScsiRequest.DATA_IN, 8192);
        assertEquals(SrbStatus.INVALID_REQUEST.raw(),
                s.storvsc.execute(two, pfns, 0, 8192).get(30, TimeUnit.SECONDS).srbStatus().raw());
        assertBufferUntouched();
    }

    @Test
    void aPageCountThatOverflowsOrExceedsThePfnListIsAnInvalidRequest() throws Exception {
        // byte_count 0x7FFFF000 needs 524288 PFNs; the packet carries one.
        ScsiRequest srb = s.storvsc.srb(0, Cdb.read16(0, 0x3FFFF8), ScsiRequest.DATA_IN, 0x7FFFF000);
        StorVscCompletion done = s.storvsc.execute(srb, new long[] {buffer.gpns()[0]}, 0, 0x7FFFF000)
                .get(30, TimeUnit.SECONDS);
        assertEquals(SrbStatus.INVALID_REQUEST.raw(), done.srbStatus().raw(), done.toString());
        ScsiRequest negative = s.storvsc.srb(0, Cdb.read10(0, 8), ScsiRequest.DATA_IN, -4096);
        done = s.storvsc.execute(negative, new long[] {buffer.gpns()[0]}, 0, -4096).get(30, TimeUnit.SECONDS);
        assertEquals(SrbStatus.INVALID_REQUEST.raw(), done.srbStatus().raw(), "byte_count 0xFFFFF000");
        assertBufferUntouched();
    }

    @Test
    void anUnknownOpcodeIsInvalidCommandOperationCode() throws Exception {
        assertCheck(s.run(0, new byte[] {(byte) 0xC5, 0, 0, 0, 0, 0}, ScsiRequest.DATA_UNKNOWN, null, 0, 0),
                Sense.INVALID_COMMAND_OPERATION_CODE);
        assertCheck(s.run(0, new byte[] {0x28, 0, 0}, ScsiRequest.DATA_UNKNOWN, null, 0, 0), Sense.INVALID_FIELD_IN_CDB);
    }

    @Test
    void aCdbLengthOfZeroOrMoreThanSixteenIsAnInvalidRequest() throws Exception {
        ScsiRequest srb = s.storvsc.srb(0, Cdb.testUnitReady(), ScsiRequest.DATA_UNKNOWN, 0);
        for (int length : new int[] {0, 17, 255}) {
            ScsiRequest bad = new ScsiRequest(srb.length(), 0, 0, 0, 0, 0, 0, length, srb.senseInfoLength(),
                    srb.dataIn(), 0, 0, srb.cdbOrSense(), 0, 0, 0, 0, 0);
            assertEquals(SrbStatus.INVALID_REQUEST.raw(),
                    s.storvsc.execute(bad, new long[0], 0, 0).get(30, TimeUnit.SECONDS).srbStatus().raw());
        }
    }

    @Test
    void aWriteToAReadOnlyDiskIsDataProtectAndLeavesTheDiskAsItWas() throws Exception {
        assertCheck(s.run(1, Cdb.write10(0, 8), ScsiRequest.DATA_OUT, buffer, 0, 4096), Sense.WRITE_PROTECTED);
        GuestPages in = s.memory.allocate(1);
        assertTrue(s.run(1, Cdb.read10(0, 8), ScsiRequest.DATA_IN, in, 0, 4096).ok());
        assertEquals(-1, in.contiguous().mismatch(MemorySegment.ofArray(new byte[4096])), "still zero");
    }

    @Test
    void aDataDirectionThatContradictsTheCommandIsAnInvalidRequest() throws Exception {
        StorVscCompletion done = s.run(0, Cdb.read10(0, 8), ScsiRequest.DATA_OUT, buffer, 0, 4096);
        assertEquals(SrbStatus.INVALID_REQUEST.raw(), done.srbStatus().raw(), done.toString());
        assertBufferUntouched();
    }

    @Test
    void aMissingLunOrTargetIsInvalidLunWithoutSense() throws Exception {
        StorVscCompletion done = s.run(7, Cdb.read10(0, 8), ScsiRequest.DATA_IN, buffer, 0, 4096);
        assertEquals(SrbStatus.INVALID_LUN.raw(), done.srbStatus().raw());
        assertNull(done.sense());
        ScsiRequest srb = s.storvsc.srb(0, Cdb.testUnitReady(), ScsiRequest.DATA_UNKNOWN, 0);
        ScsiRequest target1 = new ScsiRequest(srb.length(), 0, 0, 0, 0, 1, 0, srb.cdbLength(), srb.senseInfoLength(),
                srb.dataIn(), 0, 0, srb.cdbOrSense(), 0, 0, 0, 0, 0);
        assertEquals(SrbStatus.INVALID_LUN.raw(), s.storvsc.execute(target1, new long[0], 0, 0).get(30, TimeUnit.SECONDS)
                .srbStatus().raw());
        assertBufferUntouched();
    }

    @Test
    void disablingAutosenseReturnsErrorWithoutSenseData() throws Exception {
        ScsiRequest srb = s.storvsc.srb(0, new byte[] {(byte) 0xC5, 0, 0, 0, 0, 0}, ScsiRequest.DATA_UNKNOWN, 0);
        ScsiRequest noSense = new ScsiRequest(srb.length(), 0, 0, 0, 0, 0, 0, srb.cdbLength(), srb.senseInfoLength(),
                srb.dataIn(), 0, 0, srb.cdbOrSense(), 0, 0, 0x20, 0, 0);
        StorVscCompletion done = s.storvsc.execute(noSense, new long[0], 0, 0).get(30, TimeUnit.SECONDS);
        assertEquals(SrbStatus.ERROR.raw(), done.srbStatus().raw());
        assertEquals(0x02, done.scsiStatus());
    }
}
