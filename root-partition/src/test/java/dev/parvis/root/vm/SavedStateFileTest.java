package dev.parvis.root.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SavedStateFileTest {
    @TempDir
    Path dir;

    private static SavedState sample() {
        int pages = 8;
        byte[] memory = new byte[pages * 4096];
        memory[4096 + 17] = 42; // GPN 2
        memory[7 * 4096 + 4095] = -1; // GPN 8
        int[] rights = new int[pages + 1];
        for (int i = 1; i <= pages; i++) {
            rights[i] = i == 1 ? 0b101 : 0b011;
        }
        List<VpRegisters.Value> vp0 = List.of(new VpRegisters.Value(0x20010, 0x100000, 0), new VpRegisters.Value(0x60001, 0, 0x209B_0008_FFFF_FFFFL));
        return new SavedState(UUID.randomUUID(), "counter-1", 123_456_789L, List.of(vp0, List.of()), rights, memory);
    }

    @Test
    void aSavedStateReadsBackAsWritten() throws Exception {
        SavedState s = sample();
        Path file = dir.resolve("saved.state");
        SavedStateFile.write(file, s);
        SavedState back = SavedStateFile.read(file);
        assertEquals(s.vmId(), back.vmId());
        assertEquals(s.name(), back.name());
        assertEquals(s.referenceTime(), back.referenceTime());
        assertEquals(s.vps(), back.vps());
        assertArrayEquals(s.rights(), back.rights());
        assertArrayEquals(s.memory(), back.memory());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left");
        }
    }

    @Test
    void zeroPagesTakeNoSpace() {
        int size = SavedStateFile.encode(sample()).remaining();
        assertTrue(size < 3 * 4096, "two non-zero pages of eight, got " + size + " bytes");
    }

    @Test
    void everyTruncationIsAClearErrorNotACrash() {
        byte[] full = bytes(SavedStateFile.encode(sample()));
        for (int length = 0; length < full.length; length += 7) {
            byte[] cut = java.util.Arrays.copyOf(full, length);
            SavedStateException e = assertThrows(SavedStateException.class, () -> SavedStateFile.decode("cut", cut), "length " + length);
            assertFalse(e.getMessage().isBlank());
        }
    }

    @Test
    void aFlippedByteAnywhereIsDetected() {
        byte[] full = bytes(SavedStateFile.encode(sample()));
        for (int at = 0; at < full.length; at += 13) {
            byte[] bad = full.clone();
            bad[at] ^= 0x5A;
            assertThrows(SavedStateException.class, () -> SavedStateFile.decode("bad", bad), "byte " + at);
        }
    }

    @Test
    void anotherFormatVersionIsRefusedByName() {
        byte[] full = bytes(SavedStateFile.encode(sample()));
        full[8] = 9;
        SavedStateException e = assertThrows(SavedStateException.class, () -> SavedStateFile.decode("v9", full));
        assertTrue(e.getMessage().contains("version 9"), e.getMessage());
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
