package dev.parvis.root.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.root.Fifo;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A saved.state is checked against its real length and its VM before anything is allocated for it. */
class SavedStateBoundsTest {
    /** The largest VM this format saves: 524,287 pages of RAM (just under 2 GiB). */
    private static final int MAX_PAGES = 524_287;

    @TempDir
    Path dir;

    /** 140 bytes: a header, a META that claims {@code pages} pages, and a PAGES section of one truncated entry. */
    private static byte[] smallFileClaiming(int pages) {
        ByteBuffer b = ByteBuffer.allocate(140).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(SavedStateFile.MAGIC).putInt(2).putInt(3);
        b.putInt(1).putInt(0).putLong(40).putLong(1).putLong(2).putLong(0).putInt(1).putInt(pages).putInt(0).putInt(0);
        b.putInt(3).putInt(0).putLong(52).putInt(pages);
        return b.array();
    }

    private static <T> long bytesAllocatedBy(Supplier<T> work) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        work.get();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    @Test
    void aTinyFileClaimingTwoGibibytesOfPagesIsRefusedBeforeAnyLargeAllocation() {
        byte[] file = smallFileClaiming(MAX_PAGES);
        SavedStateFile.Expected twoGiBVm = new SavedStateFile.Expected(MAX_PAGES, 1);
        long[] allocated = new long[1];
        SavedStateException e = assertThrows(SavedStateException.class,
                () -> allocated[0] = bytesAllocatedBy(() -> SavedStateFile.decode("tiny", file, twoGiBVm)));
        assertTrue(e.getMessage().contains("PAGES claims 524287 pages, but its 52 bytes hold at most 3"), e.getMessage());
        long measured = bytesAllocatedBy(() -> {
            try {
                return SavedStateFile.decode("tiny", file, twoGiBVm);
            } catch (SavedStateException refused) {
                return null;
            }
        });
        assertTrue(measured < 1 << 20, "refusing it allocated " + measured + " bytes");
    }

    @Test
    void aFileThatDoesNotMatchItsVmIsRefusedNamingBoth() {
        SavedStateException e = assertThrows(SavedStateException.class,
                () -> SavedStateFile.decode("other", smallFileClaiming(MAX_PAGES), new SavedStateFile.Expected(4095, 1)));
        assertTrue(e.getMessage().contains("META: 1 VPs and 524287 pages, but the VM has 1 VPs and 4095 pages of RAM"), e.getMessage());

        SavedStateException tooMany = assertThrows(SavedStateException.class,
                () -> SavedStateFile.decode("huge", smallFileClaiming(MAX_PAGES + 1), new SavedStateFile.Expected(MAX_PAGES + 1, 1)));
        assertTrue(tooMany.getMessage().contains("META out of range"), tooMany.getMessage());
    }

    @Test
    void aFifoInPlaceOfTheSavedStateIsRefusedWithoutBlocking() throws Exception {
        Path fifo = Fifo.create(dir.resolve("saved.state"));
        SavedStateException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(SavedStateException.class,
                () -> SavedStateFile.read(fifo, new SavedStateFile.Expected(4095, 1))));
        assertEquals(fifo + ": a FIFO, not a regular file", e.getMessage());

        Path link = Files.createSymbolicLink(dir.resolve("linked.state"), Path.of("/dev/zero"));
        assertEquals(link + ": a symbolic link, not a regular file", assertThrows(SavedStateException.class,
                () -> SavedStateFile.read(link, new SavedStateFile.Expected(4095, 1))).getMessage());
    }

    @Test
    void aFileLargerThanItsVmCouldSaveIsRefusedUnreadAndUntouched() throws Exception {
        SavedStateFile.Expected vm = new SavedStateFile.Expected(8, 1);
        Path file = dir.resolve("saved.state");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(smallFileClaiming(8)));
            ch.write(ByteBuffer.wrap(new byte[] {1}), vm.maxFileBytes()); // sparse, one byte past the bound
        }
        byte[] before = Files.readAllBytes(file);
        SavedStateException e = assertThrows(SavedStateException.class, () -> SavedStateFile.read(file, vm));
        assertTrue(e.getMessage().contains((vm.maxFileBytes() + 1) + " bytes, larger than the " + vm.maxFileBytes()), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file), "left as it was");
    }

    @Test
    void aGenuineSavedStateOfItsVmStillReads() throws Exception {
        byte[] memory = SavedStateFileTest.ramWithBootPage(8, 1);
        memory[5 * 4096] = 9;
        int[] rights = {0, 5, 3, 3, 3, 3, 3, 3, 3};
        SavedState state = new SavedState(UUID.randomUUID(), "vm", 1, List.of(List.of()), rights, memory);
        Path file = dir.resolve("saved.state");
        SavedStateFile.write(file, state);
        assertArrayEquals(memory, SavedStateFile.read(file, new SavedStateFile.Expected(8, 1)).memory());
    }
}
