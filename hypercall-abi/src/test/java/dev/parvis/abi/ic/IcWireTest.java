package dev.parvis.abi.ic;

import dev.parvis.abi.cheader.CHeaderGenerator;
import dev.parvis.abi.cheader.HeaderCatalog;
import dev.parvis.abi.vmbus.Guid;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IcWireTest {

    @Test
    void headerBytesAreWhereTheReferenceSaysTheyAre() {
        MemorySegment s = MemorySegment.ofArray(new byte[IcMessageHeader.SIZE]);
        new IcMessageHeader(IcVersion.of(3, 0), IcMessageType.HEARTBEAT, IcVersion.of(3, 0), 40, IcConstants.E_FAIL,
                (byte) 9, (byte) (IcConstants.FLAG_TRANSACTION | IcConstants.FLAG_REQUEST)).write(s);
        byte[] b = s.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        assertArrayEquals(new byte[] {3, 0, 0, 0, 1, 0, 3, 0, 0, 0, 40, 0, 5, 0x40, 0, (byte) 0x80, 9, 3, 0, 0}, b);
        IcMessageHeader back = IcMessageHeader.read(s);
        assertEquals(IcMessageType.HEARTBEAT, back.type());
        assertTrue(back.isRequest());
        assertFalse(back.isResponse());
    }

    @Test
    void unknownMessageTypeIsDataWithAHexName() {
        assertEquals("IcMessageType(0x0042)", IcMessageType.of(0x42).toString());
        assertEquals("FCOPY", IcMessageType.FCOPY.toString());
    }

    @Test
    void negotiateBodyListsFrameworkThenMessageVersions() {
        MemorySegment s = MemorySegment.ofArray(new byte[64]);
        int size = IcNegotiate.writeBody(s, List.of(IcVersion.of(3, 0), IcVersion.of(1, 0)),
                List.of(IcVersion.of(4, 0)));
        assertEquals(20, size);
        IcNegotiate n = IcNegotiate.read(s);
        assertEquals(List.of(IcVersion.of(3, 0), IcVersion.of(1, 0)), n.frameworkVersions(s));
        assertEquals(List.of(IcVersion.of(4, 0)), n.messageVersions(s));
    }

    @Test
    void kvpStringsAreUtf16LeWithTheNulCounted() {
        KvpValue v = KvpValue.ofString("Ké", "välue");
        assertEquals(6, v.keySize());
        assertEquals(12, v.valueSize());
        MemorySegment s = MemorySegment.ofArray(new byte[KvpEnumerate.SIZE]);
        new KvpEnumerate(7, v).write(s);
        KvpEnumerate back = KvpEnumerate.read(s);
        assertEquals(7, back.index());
        assertEquals("Ké", back.data().keyString());
        assertEquals("välue", back.data().valueString());
        assertEquals(v, back.data());
    }

    @Test
    void hostileKvpSizesAreClampedToTheFieldCapacity() {
        MemorySegment s = MemorySegment.ofArray(new byte[KvpValue.SIZE]);
        s.fill((byte) 'A');
        KvpValue v = KvpValue.read(s);
        assertEquals(IcConstants.KVP_MAX_KEY_SIZE, v.key().length);
        assertEquals(IcConstants.KVP_MAX_VALUE_SIZE, v.value().length);
        assertEquals(256, v.keyString().length());
    }

    @Test
    void tooLongStringsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> KvpValue.ofString("k".repeat(256), "v"));
        assertThrows(IllegalArgumentException.class, () -> new FcopyWrite(FcopyHeader.of(1), 0, 6145, new byte[6145]));
    }

    @Test
    void fileCopyStartAndWriteRoundTrip() {
        MemorySegment s = MemorySegment.ofArray(new byte[FcopyWrite.SIZE]);
        Guid id = Guid.parse("34d14be3-dee4-41c8-9ae7-6b174977c192");
        new FcopyStart(new FcopyHeader(IcConstants.FCOPY_START, id, Guid.NULL), "a.bin", "/tmp", 3, 1 << 20).write(s);
        FcopyStart start = FcopyStart.read(s);
        assertEquals("a.bin", start.fileName());
        assertEquals("/tmp", start.pathName());
        assertEquals(id, start.header().serviceId0());
        assertEquals(1 << 20, start.fileSize());
        byte[] data = {1, 2, 3};
        new FcopyWrite(FcopyHeader.of(IcConstants.FCOPY_WRITE), 4096, 3, data).write(s);
        FcopyWrite w = FcopyWrite.read(s);
        assertEquals(4096, w.offset());
        assertArrayEquals(data, w.data());
    }

    @Test
    void timesyncAndShutdownRoundTrip() {
        MemorySegment s = MemorySegment.ofArray(new byte[ShutdownMessage.SIZE]);
        new TimesyncMessage(1L << 60, 12345, IcConstants.TIMESYNC_SAMPLE, (byte) 0, (byte) 2).write(s);
        assertEquals(new TimesyncMessage(1L << 60, 12345, IcConstants.TIMESYNC_SAMPLE, (byte) 0, (byte) 2),
                TimesyncMessage.read(s));
        new TimesyncLegacyMessage(5, 0, 0, IcConstants.TIMESYNC_SYNC).write(s);
        assertEquals(1, s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 24));
        new ShutdownMessage(ShutdownMessage.REASON_PLANNED, 30, IcConstants.SHUTDOWN_FLAG_FORCE, "bye").write(s);
        assertEquals("bye", ShutdownMessage.read(s).displayMessage());
    }

    @Test
    void cHeaderCarriesTheContractNames() {
        String h = CHeaderGenerator.generate();
        for (String name : List.of("struct ic_message_header {", "struct ic_negotiate {", "struct ic_version {",
                "struct ic_heartbeat {", "struct ic_shutdown {", "struct ic_timesync {", "struct ic_kvp_header {",
                "struct ic_kvp_value {", "struct ic_kvp_enumerate {", "struct ic_kvp_delete {", "struct ic_fcopy_header {",
                "struct ic_fcopy_start {", "struct ic_fcopy_write {", "#define IC_MSG_NEGOTIATE ", "#define IC_MSG_FCOPY ",
                "#define IC_FLAG_TRANSACTION ", "#define IC_S_OK ", "#define IC_E_FAIL ", "#define IC_NO_MORE_ITEMS ",
                "#define IC_MAX_MESSAGE_SIZE ", "#define IC_HEADER_OFFSET ", "#define IC_WINDOWS_EPOCH_OFFSET ",
                "#define IC_KVP_POOL_AUTO_EXTERNAL ", "#define IC_FCOPY_MAX_DATA ", "#define IC_HEARTBEAT_STATE_HEALTHY ",
                "#define IC_SHUTDOWN_FLAG_HIBERNATE ", "#define IC_TIMESYNC_SAMPLE ", "#define IC_KVP_REG_QWORD ")) {
            assertTrue(h.contains(name), name);
        }
        assertEquals("ic_heartbeat", HeaderCatalog.structName(HeartbeatMessage.class));
        assertEquals("ic_message_header", HeaderCatalog.structName(IcMessageHeader.class));
    }
}
