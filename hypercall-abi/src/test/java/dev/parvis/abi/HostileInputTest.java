package dev.parvis.abi;

import dev.parvis.abi.boot.BootInfo;
import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.input.PostDebugDataInput;
import dev.parvis.abi.hv.input.PostMessageInput;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Readers never throw on guest-controlled lengths; constructors refuse what would not fit. */
class HostileInputTest {

    @Test
    void postMessageReadClampsPayloadSizeAndExposesTheRawField() {
        MemorySegment s = new WireImage(256).u32(12, 0xFFFF_FFF0).segment();
        assertEquals(240, PostMessageInput.read(s).payload().length);
        assertEquals(0xFFFF_FFF0, PostMessageInput.payloadSizeField(s));
    }

    @Test
    void hvMessageReadClampsPayloadSize() {
        assertEquals(240, HvMessage.read(new WireImage(256).u8(4, 255).segment()).payloadSize());
    }

    @Test
    void oversizedPayloadsAreRejectedWhenBuilt() {
        assertThrows(IllegalArgumentException.class, () -> HvMessage.of(HvMessageType.VMBUS, new byte[241]));
        assertThrows(IllegalArgumentException.class, () -> new PostMessageInput(1, HvMessageType.VMBUS, new byte[241]));
        assertThrows(IllegalArgumentException.class, () -> PostDebugDataInput.of(new byte[4089]));
    }

    @Test
    void debugDataReadClampsCount() {
        MemorySegment s = new WireImage(4096).u32(0, 5000).segment();
        assertEquals(4088, PostDebugDataInput.read(s).data().length);
    }

    @Test
    void payloadArraysAreDefensivelyCopied() {
        byte[] payload = {1, 2, 3};
        HvMessage m = HvMessage.of(HvMessageType.VMBUS, payload);
        payload[0] = 9;
        m.payload()[1] = 9;
        assertEquals(HvMessage.of(HvMessageType.VMBUS, new byte[] {1, 2, 3}), m);
    }

    @Test
    void bootInfoRejectsWrongMagicVersionOrSize() {
        assertThrows(IllegalArgumentException.class, () -> BootInfo.read(new WireImage(104).segment()));
        assertThrows(IllegalArgumentException.class,
                () -> BootInfo.read(new WireImage(104).u64(0, BootInfo.MAGIC).u32(8, 2).u32(12, 104).segment()));
        assertThrows(IllegalArgumentException.class,
                () -> BootInfo.read(new WireImage(104).u64(0, BootInfo.MAGIC).u32(8, 1).u32(12, 96).segment()));
    }

    @Test
    void writersClearPaddingAndStalePayloadBytes() {
        MemorySegment s = WireImage.dirty(256);
        HvMessage.of(HvMessageType.VMBUS, new byte[] {7}).write(s);
        for (long i = 17; i < 256; i++) {
            assertEquals(0, s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i), "byte " + i);
        }
        assertEquals(0, s.get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, 6));
    }
}
