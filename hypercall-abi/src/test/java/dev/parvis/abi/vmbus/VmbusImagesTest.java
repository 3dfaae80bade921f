package dev.parvis.abi.vmbus;

import dev.parvis.abi.WireImage;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

import static dev.parvis.abi.WireImage.dirty;
import static dev.parvis.abi.WireImage.seq;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Byte images assembled by hand from reference sections 6.4 and 7.1-7.2 (GUIDs typed in wire
 * order), read through the records and written back identically over a dirty buffer.
 */
class VmbusImagesTest {
    /** NIC class f8615163-df3e-46c5-913f-f2d2f965ed0e and an instance GUID, as sent on the wire. */
    private static final byte[] NIC_WIRE = HexFormat.of().parseHex("635161f83edfc546913ff2d2f965ed0e");
    private static final byte[] INSTANCE_WIRE = HexFormat.of().parseHex("78563412cdab01ef0123456789abcdef");

    private static byte[] written(int size, Consumer<MemorySegment> writer) {
        MemorySegment s = dirty(size);
        writer.accept(s);
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void offerChannelInPipeModeWithADedicatedInterrupt() {
        byte[] image = new WireImage(196).u32(0, 1).bytes(8, NIC_WIRE).bytes(24, INSTANCE_WIRE)
                .u16(56, 0x0011).u16(58, 16).u32(60, 4).bytes(64, seq(8, 0x40))
                .u16(180, 0).u32(184, 5).u8(188, 0xFF).u8(189, 0).u16(190, 1).u32(192, 0x2005).toArray();
        byte[] userDefined = new WireImage(120).u32(0, 4).bytes(4, seq(8, 0x40)).toArray();
        OfferChannel expected = new OfferChannel(DeviceClass.NIC, Guid.parse("12345678-abcd-ef01-0123-456789abcdef"),
                (short) 0x0011, (short) 16, userDefined, (short) 0, 5, (byte) 0xFF, false, true, 0x2005);

        ChannelMessage parsed = ChannelMessage.parse(MemorySegment.ofArray(image), image.length);
        assertEquals(expected, parsed);
        OfferChannel offer = (OfferChannel) parsed;
        assertEquals(VmbusConstants.PIPE_TYPE_MESSAGE, offer.pipeType());
        assertTrue(offer.hasFlag(VmbusConstants.OFFER_FLAG_NAMED_PIPE_MODE));
        assertEquals(VmbusConstants.MONITOR_ID_NONE, offer.monitorId() & 0xFF);
        assertArrayEquals(image, written(196, offer::write));
        assertArrayEquals(image, offer.toBytes());
    }

    @Test
    void openChannelWithRingGpadlAndUserData() {
        byte[] image = new WireImage(148).u32(0, 5).u32(8, 5).u32(12, 5).u32(16, 0xE1E10).u32(20, 1).u32(24, 9)
                .bytes(28, seq(120, 0x80)).toArray();
        OpenChannel expected = new OpenChannel(5, 5, 0xE1E10, 1, 9, seq(120, 0x80));
        ChannelMessage parsed = ChannelMessage.parse(MemorySegment.ofArray(image), image.length);
        assertEquals(expected, parsed);
        assertArrayEquals(image, written(148, parsed::write));
    }

    @Test
    void gpadlHeaderWithOneRangeOfTwoPages() {
        byte[] image = new WireImage(44).u32(0, 8).u32(8, 5).u32(12, 0xE1E10).u16(16, 24).u16(18, 1)
                .u32(20, 8192).u32(24, 0).u64(28, 0x12345L).u64(36, 0x12346L).toArray();
        MemorySegment s = MemorySegment.ofArray(image);
        GpadlHeader header = (GpadlHeader) ChannelMessage.parse(s, 44);
        assertEquals(new GpadlHeader(5, 0xE1E10, (short) 24, (short) 1), header);
        GpaRange range = GpadlHeader.readRange(s, 44);
        assertEquals(new GpaRange(8192, 0), range);
        assertArrayEquals(new long[] {0x12345L, 0x12346L}, GpadlHeader.readPfns(s, 44));
        assertArrayEquals(new long[] {8192L, 0x12345L, 0x12346L}, GpadlHeader.readRangeWords(s, 44));

        GpadlHeader built = GpadlHeader.forRange(5, 0xE1E10, range);
        assertEquals(header, built);
        assertEquals(44, GpadlHeader.lengthWithPfns(2));
        byte[] out = written(44, m -> {
            built.write(m);
            assertEquals(44, GpadlHeader.writeRange(m, range, new long[] {0x12345L, 0x12346L}));
        });
        assertArrayEquals(image, out);
    }

    @Test
    void gpadlBodyContinuesThePfnArray() {
        byte[] image = new WireImage(32).u32(0, 9).u32(8, 1).u32(12, 0xE1E10).u64(16, 0x2000L).u64(24, 0x2001L).toArray();
        MemorySegment s = MemorySegment.ofArray(image);
        assertEquals(new GpadlBody(1, 0xE1E10), ChannelMessage.parse(s, 32));
        assertArrayEquals(new long[] {0x2000L, 0x2001L}, GpadlBody.readPfns(s, 32));
        byte[] out = written(32, m -> {
            new GpadlBody(1, 0xE1E10).write(m);
            assertEquals(32, GpadlBody.writePfns(m, new long[] {0x2000L, 0x2001L}));
        });
        assertArrayEquals(image, out);
    }

    @Test
    void initiateContactInTheFiveZeroFormWithMessageSintTwo() {
        byte[] image = new WireImage(40).u32(0, 14).u32(8, 0x0005_0000).u32(12, 0).u8(16, 2).u8(17, 0)
                .u64(24, 0x7000L).u64(32, 0x8000L).toArray();
        InitiateContact c = (InitiateContact) ChannelMessage.parse(MemorySegment.ofArray(image), 40);
        assertEquals(new InitiateContact(VmbusVersion.WIN10_V5, 0, 2, 0x7000L, 0x8000L), c);
        assertEquals(VmbusConstants.MESSAGE_SINT, c.messageSint());
        assertEquals(0, c.messageVtl());
        assertArrayEquals(image, written(40, c::write));
    }

    @Test
    void versionResponseSupportedWithConnectionIdOne() {
        byte[] image = new WireImage(16).u32(0, 15).u8(8, 1).u8(9, 0).u32(12, 1).toArray();
        VersionResponse r = (VersionResponse) ChannelMessage.parse(MemorySegment.ofArray(image), 16);
        assertEquals(VersionResponse.supported(1), r);
        assertEquals(new VersionResponse(true, (byte) 0, 1), r);
        assertArrayEquals(image, written(16, r::write));
    }

    @Test
    void packetDescriptorOfAnInbandPacketRequestingCompletion() {
        byte[] image = new WireImage(16).u16(0, 6).u16(2, 2).u16(4, 5).u16(6, 1).u64(8, 0x1122334455667788L).toArray();
        PacketDescriptor d = PacketDescriptor.read(MemorySegment.ofArray(image));
        assertEquals(new PacketDescriptor(PacketType.DATA_INBAND, (short) 2, (short) 5, (short) 1, 0x1122334455667788L), d);
        assertEquals(16, d.payloadOffset());
        assertEquals(40, d.packetLength());
        assertArrayEquals(image, written(16, d::write));
    }

    @Test
    void ringControlPage() {
        byte[] image = new WireImage(4096).u32(0, 0x100).u32(4, 0x40).u32(8, 1).u32(12, 0x200).u32(64, 1).toArray();
        RingControl c = RingControl.read(MemorySegment.ofArray(image));
        assertEquals(new RingControl(0x100, 0x40, 1, 0x200, 1), c);
        assertTrue(c.supportsPendingSendSize());
        assertArrayEquals(image, written(4096, c::write));
    }

    @Test
    void smallRingHeaders() {
        byte[] gpaDirect = new WireImage(8).u32(4, 3).toArray();
        assertEquals(new GpaDirectHeader(3), GpaDirectHeader.read(MemorySegment.ofArray(gpaDirect)));
        assertArrayEquals(gpaDirect, written(8, new GpaDirectHeader(3)::write));
        byte[] xfer = new WireImage(8).u16(0, 0xCAFE).u8(2, 1).u32(4, 2).toArray();
        TransferPageHeader t = new TransferPageHeader((short) 0xCAFE, true, 2);
        assertEquals(t, TransferPageHeader.read(MemorySegment.ofArray(xfer)));
        assertArrayEquals(xfer, written(8, t::write));
        byte[] range = new WireImage(8).u32(0, 1500).u32(4, 0x3000).toArray();
        assertEquals(new TransferPageRange(1500, 0x3000), TransferPageRange.read(MemorySegment.ofArray(range)));
        assertArrayEquals(range, written(8, new TransferPageRange(1500, 0x3000)::write));
        byte[] pipe = new WireImage(8).u32(0, 1).u32(4, 42).toArray();
        assertEquals(new PipeHeader(VmbusConstants.PIPE_PACKET_DATA, 42), PipeHeader.read(MemorySegment.ofArray(pipe)));
        assertArrayEquals(pipe, written(8, new PipeHeader(1, 42)::write));
    }

    @Test
    void everyFixedMessageRoundTripsThroughParse() {
        ChannelMessage[] all = {
            new RescindChannelOffer(3), new RequestOffers(), new AllOffersDelivered(), new OpenChannelResult(3, 3, 0),
            new CloseChannel(3), new GpadlCreated(3, 0xE1E10, VmbusConstants.STATUS_UNSUCCESSFUL),
            new GpadlTeardown(3, 0xE1E10), new GpadlTorndown(0xE1E10), new RelidReleased(3), new Unload(),
            new UnloadResponse(), new ModifyChannel(3, 1), new ModifyChannelResponse(3, 0),
        };
        for (ChannelMessage m : all) {
            byte[] bytes = m.toBytes();
            assertEquals(ChannelMessage.minimumSize(m.type()), bytes.length, m.toString());
            assertEquals(m.type().raw(), bytes[0]);
            assertEquals(m, ChannelMessage.parse(MemorySegment.ofArray(bytes), bytes.length));
        }
    }
}
