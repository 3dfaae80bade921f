package dev.parvis.root.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.root.Fifo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ElfImageTest {
    private static final int PHOFF = 64;
    private static final int PH_OFFSET = 8;
    private static final int PH_FILESZ = 32;

    @TempDir
    Path dir;

    /** A minimal valid image: one R+X PT_LOAD of 0x100 file bytes at 0x100000, entry at its start. */
    static byte[] image() {
        ByteBuffer b = ByteBuffer.allocate(0x200).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 0x464C457F).put(4, (byte) 2).put(5, (byte) 1).put(6, (byte) 1);
        b.putShort(16, (short) 2).putShort(18, (short) 62).putInt(20, 1).putLong(24, 0x100000).putLong(32, PHOFF);
        b.putShort(52, (short) 64).putShort(54, (short) 56).putShort(56, (short) 1);
        b.putInt(PHOFF, 1).putInt(PHOFF + 4, 5).putLong(PHOFF + PH_OFFSET, 0x100).putLong(PHOFF + 16, 0x100000)
                .putLong(PHOFF + 24, 0x100000).putLong(PHOFF + PH_FILESZ, 0x100).putLong(PHOFF + 40, 0x1000).putLong(PHOFF + 48, 0x1000);
        return b.array();
    }

    private static byte[] with(int at, long value) {
        byte[] bytes = image();
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(at, value);
        return bytes;
    }

    @Test
    void theMinimalImageParses() {
        ElfImage elf = ElfImage.parse(image());
        assertEquals(0x100000, elf.entry());
        assertEquals(new ElfImage.Segment(0x100000, 0x1000, 0x100, 0x100, true, false, true), elf.segments().getFirst());
    }

    @Test
    void aProgramHeaderTableOffsetThatWrapsIsRefusedByField() {
        // e_phoff + e_phnum * e_phentsize wraps past 2^63 and would have passed a "sum <= length" check.
        InvalidImageException e = assertThrows(InvalidImageException.class, () -> ElfImage.parse(with(32, 0x7FFF_FFFF_FFFF_FFF0L)));
        assertTrue(e.getMessage().startsWith("ELF header: e_phoff 0x7ffffffffffffff0"), e.getMessage());
    }

    @Test
    void aSegmentWhoseOffsetPlusSizeWrapsIsRefusedByField() {
        byte[] bytes = with(PHOFF + PH_OFFSET, 0x7FFF_FFFF_FFFF_FFF0L);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(PHOFF + PH_FILESZ, 0x20);
        InvalidImageException e = assertThrows(InvalidImageException.class, () -> ElfImage.parse(bytes));
        assertTrue(e.getMessage().startsWith("program header 0 (PT_LOAD): p_offset 0x7ffffffffffffff0"), e.getMessage());

        InvalidImageException size = assertThrows(InvalidImageException.class, () -> ElfImage.parse(with(PHOFF + PH_FILESZ, -16)));
        assertTrue(size.getMessage().startsWith("program header 0 (PT_LOAD): p_filesz 0xfffffffffffffff0"), size.getMessage());
    }

    @Test
    void aSegmentWhoseEndWrapsTheAddressSpaceIsRefused() {
        InvalidImageException e = assertThrows(InvalidImageException.class, () -> ElfImage.parse(with(PHOFF + 40, Long.MAX_VALUE)));
        assertTrue(e.getMessage().contains("p_memsz 0x7fffffffffffffff wraps"), e.getMessage());
    }

    /** The whole class of overflow: any header bytes give a parsed image or an InvalidImageException, nothing else. */
    @Test
    void randomHeaderBytesNeverEscapeAsAnotherException() {
        Random random = new Random(20240608);
        int refused = 0;
        for (int i = 0; i < 200_000; i++) {
            byte[] bytes = image();
            int changes = 1 + random.nextInt(4);
            for (int c = 0; c < changes; c++) {
                int at = random.nextInt(PHOFF + 56);
                bytes[at] = random.nextInt(4) == 0 ? (byte) 0xFF : (byte) random.nextInt(256);
            }
            try {
                ElfImage elf = ElfImage.parse(bytes);
                for (ElfImage.Segment s : elf.segments()) {
                    assertTrue(s.offset() >= 0 && s.offset() + s.fileSize() <= bytes.length && s.end() >= s.vaddr(), s.toString());
                }
            } catch (InvalidImageException e) {
                refused++;
            }
        }
        assertTrue(refused > 100_000, "most mutations are refused: " + refused);
    }

    @Test
    void readingAnImageTakesOnlyARegularFileAndNamesIt() throws Exception {
        Path good = Files.write(dir.resolve("good.elf"), image());
        assertEquals(0x100000, ElfImage.read(good).entry());

        InvalidImageException zero = assertThrows(InvalidImageException.class, () -> ElfImage.read(Path.of("/dev/zero")));
        assertEquals("guest image /dev/zero: a character device, not a regular file", zero.getMessage());

        Path pipe = Fifo.create(dir.resolve("pipe.elf"));
        InvalidImageException fifo = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(InvalidImageException.class, () -> ElfImage.read(pipe)));
        assertEquals("guest image " + pipe + ": a FIFO, not a regular file", fifo.getMessage());

        Path big = dir.resolve("big.elf");
        try (var ch = java.nio.channels.FileChannel.open(big, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[1]), ElfImage.MAX_FILE_BYTES); // sparse: one byte past the bound
        }
        InvalidImageException large = assertThrows(InvalidImageException.class, () -> ElfImage.read(big));
        assertTrue(large.getMessage().contains("larger than the 16777216 bytes"), large.getMessage());

        Path bad = Files.write(dir.resolve("bad.elf"), with(32, 0x7FFF_FFFF_FFFF_FFF0L));
        assertTrue(assertThrows(InvalidImageException.class, () -> ElfImage.read(bad)).getMessage()
                .startsWith("guest image " + bad + ": ELF header: e_phoff"));
    }
}
