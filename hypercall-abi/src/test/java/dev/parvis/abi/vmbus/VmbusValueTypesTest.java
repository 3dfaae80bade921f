package dev.parvis.abi.vmbus;

import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VmbusValueTypesTest {

    @Test
    void versionsSplitIntoMajorAndMinorAndCompare() {
        assertEquals(5, VmbusVersion.WIN10_V5_3.major());
        assertEquals(3, VmbusVersion.WIN10_V5_3.minor());
        assertEquals(0, VmbusVersion.WS2008.major());
        assertEquals(13, VmbusVersion.WS2008.minor());
        assertEquals(VmbusVersion.WIN8, VmbusVersion.of(2, 4));
        assertTrue(VmbusVersion.WIN10_V5_3.isAtLeast(VmbusVersion.WIN10_V5));
        assertTrue(VmbusVersion.WIN10_V5.isAtLeast(VmbusVersion.WIN10_V5));
        assertFalse(VmbusVersion.WIN10_V4_1.isAtLeast(VmbusVersion.WIN10_V5));
        assertTrue(new VmbusVersion(0xFFFF_0000).isAtLeast(VmbusVersion.COPPER), "compared unsigned");
    }

    @Test
    void openValueTypesNameKnownCodesAndPrintUnknownOnesInHex() {
        assertEquals("WIN10_V5_3", VmbusVersion.WIN10_V5_3.toString());
        assertEquals("VmbusVersion(0x00070001)", new VmbusVersion(0x0007_0001).toString());
        assertEquals("7.1", new VmbusVersion(0x0007_0001).name());
        assertEquals("INITIATE_CONTACT", ChannelMessageType.of(14).toString());
        assertEquals("ChannelMessageType(0x0000001D)", ChannelMessageType.of(29).toString());
        assertEquals("DATA_USING_GPA_DIRECT", PacketType.of(9).toString());
        assertEquals("PacketType(0xFFFF)", PacketType.of(0xFFFF).toString());
        assertFalse(PacketType.of(0xE).isKnown());
    }

    @Test
    void guidGoesOnTheWireInWindowsMixedEndianOrder() {
        Guid nic = Guid.parse("f8615163-df3e-46c5-913f-f2d2f965ed0e");
        assertArrayEquals(HexFormat.of().parseHex("63 51 61 f8 3e df c5 46 91 3f f2 d2 f9 65 ed 0e".replace(" ", "")), nic.toBytes());
        assertEquals(nic, Guid.read(MemorySegment.ofArray(nic.toBytes())));
        assertEquals(0xf8615163, nic.data1());
        assertEquals((short) 0xdf3e, nic.data2());
        assertEquals((short) 0x46c5, nic.data3());
        assertEquals(0x913ff2d2f965ed0eL, nic.data4());
        assertEquals((byte) 0x91, nic.data4Byte(0));
        assertEquals((byte) 0x0e, nic.data4Byte(7));
        assertEquals(DeviceClass.NIC, nic);
    }

    @Test
    void guidTextAndUuidRoundTrip() {
        String text = "ba6163d9-04a1-4d29-b605-72e2ffb1dc7f";
        Guid g = Guid.parse(text);
        assertEquals(text, g.toString());
        assertEquals(g, Guid.parse(text.toUpperCase()));
        assertEquals(UUID.fromString(text), g.toUuid());
        assertEquals(g, Guid.fromUuid(UUID.fromString(text)));
        assertThrows(IllegalArgumentException.class, () -> Guid.parse("ba6163d9-04a1-4d29-b605-72e2ffb1dc7"));
        assertThrows(IllegalArgumentException.class, () -> Guid.parse("ba6163d9x04a1-4d29-b605-72e2ffb1dc7f"));
        assertThrows(IllegalArgumentException.class, () -> Guid.parse("zz6163d9-04a1-4d29-b605-72e2ffb1dc7f"));
    }

    @Test
    void deviceClassesAreTheReferenceGuidsAndKnowTheirNames() {
        assertEquals("ba6163d9-04a1-4d29-b605-72e2ffb1dc7f", DeviceClass.SCSI.toString());
        assertEquals("57164f39-9115-4e78-ab55-382f3bd5422d", DeviceClass.HEARTBEAT.toString());
        assertEquals("7a0c6d1e-4e9b-4f2a-8d35-50415256495e", DeviceClass.ECHO.toString());
        assertEquals(Optional.of("ECHO"), DeviceClass.nameOf(DeviceClass.ECHO));
        assertEquals(Optional.empty(), DeviceClass.nameOf(Guid.NULL));
        assertEquals(21, DeviceClass.all().size(), "20 classes of section 8 plus ECHO, all distinct");
    }

    @Test
    void packetDescriptorHelpersCountInEightByteUnits() {
        PacketDescriptor d = PacketDescriptor.of(PacketType.DATA_INBAND, 16, 16 + 13, (short) 1, 7);
        assertEquals(2, d.offset8());
        assertEquals(4, d.len8());
        assertEquals(16, d.payloadOffset());
        assertEquals(32, d.packetLength());
        assertEquals(16, d.payloadLength());
        assertEquals(40, d.totalLength());
        assertTrue(d.completionRequested());
        assertEquals(0xFFFF * 8, new PacketDescriptor(PacketType.COMPLETION, (short) 2, (short) -1, (short) 0, 0).packetLength());
        assertThrows(IllegalArgumentException.class, () -> PacketDescriptor.of(PacketType.DATA_INBAND, 8, 64, (short) 0, 0));
    }

    @Test
    void gpaRangePageCountCoversOffsetAndNeverOverflows() {
        assertEquals(1, new GpaRange(4096, 0).pageCount());
        assertEquals(2, new GpaRange(4096, 1).pageCount());
        assertEquals(3, new GpaRange(8192, 100).pageCount());
        assertEquals(0, new GpaRange(0, 0).pageCount());
        assertEquals(2L * 1024 * 1024, new GpaRange(-1, -1).pageCount());
    }

    @Test
    void messageRecordsRefuseAHeaderOfAnotherType() {
        assertThrows(IllegalArgumentException.class,
                () -> new CloseChannel(new ChannelMessageHeader(ChannelMessageType.UNLOAD), 1));
        assertEquals(ChannelMessageType.CLOSE_CHANNEL, new CloseChannel(1).type());
        assertThrows(IllegalArgumentException.class, () -> new OpenChannel(1, 1, 1, 0, 4, new byte[121]));
    }

    @Test
    void initiateContactSplitsTheFiveZeroInterruptPageWord() {
        InitiateContact c = new InitiateContact(VmbusVersion.WIN10_V5_3, 0,
                InitiateContact.interruptPageForSint(2, 0) | 0x5L << 32, 0x1000, 0x2000);
        assertEquals(2, c.messageSint());
        assertEquals(0, c.messageVtl());
        assertEquals(5, c.featureFlags());
        assertEquals(0x0102, InitiateContact.interruptPageForSint(2, 1));
    }
}
