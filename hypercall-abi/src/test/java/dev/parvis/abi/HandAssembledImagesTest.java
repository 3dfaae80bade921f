package dev.parvis.abi;

import dev.parvis.abi.boot.BootInfo;
import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HvPortType;
import dev.parvis.abi.hv.HvRegisterName;
import dev.parvis.abi.hv.input.*;
import dev.parvis.abi.hv.message.*;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

import static dev.parvis.abi.WireImage.dirty;
import static dev.parvis.abi.WireImage.seq;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Each record reads a byte image assembled by hand from the reference, and writes it back identically. */
class HandAssembledImagesTest {

    private static byte[] written(int size, java.util.function.Consumer<MemorySegment> writer) {
        MemorySegment s = dirty(size);
        writer.accept(s);
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void hvMessageRoundTripsWithPayloadAtSixteen() {
        byte[] image = new WireImage(256).u32(0, 0x8001_0000).u8(4, 5).u8(5, 1).u64(8, 0x1234).bytes(16, seq(5, 1)).toArray();
        HvMessage m = HvMessage.read(MemorySegment.ofArray(image));
        assertEquals(new HvMessage(HvMessageType.X64_IO_PORT_INTERCEPT, (byte) 1, 0x1234, seq(5, 1)), m);
        assertArrayEquals(image, written(256, m::write));
    }

    @Test
    void postMessageInputRoundTrips() {
        byte[] image = new WireImage(256).u32(0, 7).u32(8, 1).u32(12, 3).bytes(16, seq(3, 9)).toArray();
        PostMessageInput in = PostMessageInput.read(MemorySegment.ofArray(image));
        assertEquals(new PostMessageInput(7, HvMessageType.VMBUS, seq(3, 9)), in);
        assertArrayEquals(image, written(256, in::write));
    }

    @Test
    void signalEventInputRoundTripsInMemoryAndInRdx() {
        byte[] image = new WireImage(8).u32(0, 0x42).u16(4, 3).toArray();
        SignalEventInput in = SignalEventInput.read(MemorySegment.ofArray(image));
        assertEquals(new SignalEventInput(0x42, (short) 3), in);
        assertArrayEquals(image, written(8, in::write));
        assertEquals(0x0003_0000_0042L, in.toFast());
        assertEquals(in, SignalEventInput.fromFast(0xFFFF_0000_0000_0000L | in.toFast()));
    }

    @Test
    void registerAssocKeepsTheValueAtSixteen() {
        byte[] image = new WireImage(32).u32(0, 0x0002_0010).u64(16, 0x1000).u64(24, 0x77).toArray();
        RegisterAssoc a = RegisterAssoc.read(MemorySegment.ofArray(image));
        assertEquals(new RegisterAssoc(HvRegisterName.RIP, 0x1000, 0x77), a);
        assertArrayEquals(image, written(32, a::write));
    }

    @Test
    void createPortInputPlacesPortInfoAtTwentyFourAndProximityAtFortyEight() {
        byte[] image = new WireImage(56).u64(0, 2).u32(8, 5).u8(12, 0).u8(13, 0).u64(16, 3)
                .u32(24, HvPortType.EVENT).u32(32, 1).u32(36, 0).u16(40, 10).u16(42, 2).u64(48, 0x8000_0000L).toArray();
        CreatePortInput in = CreatePortInput.read(MemorySegment.ofArray(image));
        assertEquals(new CreatePortInput(2, 5, (byte) 0, (byte) 0, 3,
                PortInfo.event(1, 0, (short) 10, (short) 2), 0x8000_0000L), in);
        assertArrayEquals(image, written(56, in::write));
    }

    @Test
    void messagePortInfoIgnoresFlagFields() {
        byte[] image = new WireImage(24).u32(0, HvPortType.MESSAGE).u32(8, 1).u32(12, 0).u16(16, 99).u16(18, 99).toArray();
        PortInfo info = PortInfo.read(MemorySegment.ofArray(image));
        assertEquals(PortInfo.message(1, 0), info);
    }

    @Test
    void connectPortInputPlacesConnectionInfoAtThirtyTwoAndProximityAtSixtyFour() {
        byte[] image = new WireImage(72).u64(0, 3).u32(8, 0x10).u64(16, 2).u32(24, 5)
                .u32(32, HvPortType.MONITOR).u64(40, 0x5000).u64(64, 9).toArray();
        ConnectPortInput in = ConnectPortInput.read(MemorySegment.ofArray(image));
        assertEquals(new ConnectPortInput(3, 0x10, (byte) 0, 2, 5, new ConnectionInfo(HvPortType.MONITOR, 0x5000), 9), in);
        assertArrayEquals(image, written(72, in::write));
    }

    @Test
    void writeGpaInputCarriesSixteenDataBytesAtThirtyTwo() {
        byte[] image = new WireImage(48).u64(0, 4).u32(8, 0).u32(12, 16).u64(16, 0x2000).u64(24, 6)
                .bytes(32, seq(16, 0x40)).toArray();
        WriteGpaInput in = WriteGpaInput.read(MemorySegment.ofArray(image));
        assertEquals(new WriteGpaInput(4, 0, 16, 0x2000, 6, seq(16, 0x40)), in);
        assertArrayEquals(image, written(48, in::write));
    }

    @Test
    void memoryInterceptMessageHasGpaAtFiftySix() {
        byte[] image = new WireImage(80).u32(0, 1).u8(4, 3).u8(5, InterceptAccessType.WRITE).u16(6, 0x10)
                .u64(8, 0).u32(16, -1).u16(20, 8).u16(22, 0xA09B).u64(24, 0x10_0010).u64(32, 2)
                .u32(40, 6).u8(44, 3).u8(45, 1).u64(48, 0x0).u64(56, 0xFEE0_0000L).bytes(64, seq(3, 0x89)).toArray();
        MemoryInterceptMessage m = MemoryInterceptMessage.read(MemorySegment.ofArray(image));
        assertEquals(0xFEE0_0000L, m.guestPhysicalAddress());
        assertEquals(0x10_0010, m.header().rip());
        assertEquals(SegmentValue.FLAT_CODE64, m.header().cs());
        assertEquals(3, m.header().instructionByteLength());
        assertArrayEquals(image, written(80, m::write));
    }

    @Test
    void ioPortInterceptMessageHasPortAtFortyAndRaxAtFortyEight() {
        byte[] image = new WireImage(72).u32(0, 0).u8(4, 2).u8(5, InterceptAccessType.WRITE)
                .u16(40, 0x604).u8(42, 2).u8(43, 2).u64(48, 0x2000).bytes(56, new byte[] {0x66, (byte) 0xEF}).toArray();
        IoPortInterceptMessage m = IoPortInterceptMessage.read(MemorySegment.ofArray(image));
        assertEquals(0x604, m.port());
        assertEquals(2, m.accessSize());
        assertEquals(0x2000, m.rax());
        assertArrayEquals(image, written(72, m::write));
    }

    @Test
    void bootInfoRoundTripsWithHeaderFilledIn() {
        byte[] image = new WireImage(104).u64(0, BootInfo.MAGIC).u32(8, 1).u32(12, 104).u64(16, 2).u32(24, 0).u32(28, 1)
                .u64(32, 0x1000).u64(40, 0x40_0000).u64(48, 0x10_0000).u64(56, 0x10_3000).u64(64, 0x10_3000)
                .u64(72, 0x3F_0000).u64(80, 0x40_0000).u32(88, 0x11).u32(92, 0x12).u32(96, 1).toArray();
        BootInfo info = BootInfo.read(MemorySegment.ofArray(image));
        assertEquals(new BootInfo(2, 0, 1, 0x1000, 0x40_0000, 0x10_0000, 0x10_3000, 0x10_3000, 0x3F_0000, 0x40_0000,
                0x11, 0x12, 1), info);
        assertArrayEquals(image, written(104, info::write));
        assertEquals(0x544F4F4253565250L, BootInfo.MAGIC);
        assertEquals("PRVSBOOT", new String(new WireImage(8).u64(0, BootInfo.MAGIC).toArray(),
                java.nio.charset.StandardCharsets.US_ASCII));
    }
}
