package dev.parvis.devices.ic;

import dev.parvis.abi.ic.FcopyHeader;
import dev.parvis.abi.ic.FcopyStart;
import dev.parvis.abi.ic.FcopyWrite;
import dev.parvis.abi.ic.IcConstants;
import dev.parvis.abi.ic.IcMessageHeader;
import dev.parvis.vmcore.hostfile.HostFileException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileCopyServiceTest {
    @TempDir
    Path dir;

    /** The guest side of file copy: assembles the file in memory. */
    static final class GuestFile implements GuestResponder.Handler {
        final List<Integer> operations = new ArrayList<>();
        final List<Integer> chunkSizes = new ArrayList<>();
        volatile FcopyStart start;
        byte[] data;
        volatile boolean completed;
        volatile boolean cancelled;
        volatile int failWriteAt = -1;

        @Override
        public synchronized int answer(IcMessageHeader h, MemorySegment body) {
            int op = FcopyHeader.read(body).operation();
            operations.add(op);
            switch (op) {
                case IcConstants.FCOPY_START -> {
                    start = FcopyStart.read(body);
                    data = new byte[(int) start.fileSize()];
                }
                case IcConstants.FCOPY_WRITE -> {
                    FcopyWrite w = FcopyWrite.read(body);
                    if (chunkSizes.size() == failWriteAt) {
                        return IcConstants.DISK_FULL;
                    }
                    chunkSizes.add(w.size());
                    System.arraycopy(w.data(), 0, data, (int) w.offset(), w.size());
                }
                case IcConstants.FCOPY_COMPLETE -> completed = true;
                case IcConstants.FCOPY_CANCEL -> cancelled = true;
                default -> {
                    return IcConstants.E_FAIL;
                }
            }
            return IcConstants.S_OK;
        }
    }

    @Test
    void aOneMebibyteFileArrivesByteForByte() throws Exception {
        FileCopyService fcopy = new FileCopyService();
        GuestFile guest = new GuestFile();
        byte[] content = new byte[1 << 20];
        new Random(7).nextBytes(content);
        Path file = Files.write(dir.resolve("image.bin"), content);
        try (IcFixture f = new IcFixture(fcopy)) {
            f.guest(fcopy, IcVersions.FCOPY, guest);
            IcFixture.waitForNegotiation(fcopy);
            long copied = fcopy.copyToGuest(file, "/var/tmp/image.bin", true);
            assertEquals(content.length, copied);
            assertTrue(guest.completed);
            assertEquals("image.bin", guest.start.fileName());
            assertEquals("/var/tmp", guest.start.pathName());
            assertEquals(IcConstants.FCOPY_FLAG_OVERWRITE, guest.start.copyFlags());
            assertArrayEquals(sha256(content), sha256(guest.data));
            assertTrue(guest.chunkSizes.stream().allMatch(n -> n > 0 && n <= IcConstants.FCOPY_MAX_DATA));
            assertEquals((content.length + 6143) / 6144, guest.chunkSizes.size());
            assertEquals(IcStatus.OK, fcopy.status());
        }
    }

    @Test
    void aRefusedWriteCancelsTheCopy() throws Exception {
        FileCopyService fcopy = new FileCopyService();
        GuestFile guest = new GuestFile();
        guest.failWriteAt = 3;
        Path file = Files.write(dir.resolve("x.bin"), new byte[100_000]);
        try (IcFixture f = new IcFixture(fcopy)) {
            f.guest(fcopy, IcVersions.FCOPY, guest);
            IcFixture.waitForNegotiation(fcopy);
            IcException e = assertThrows(IcException.class, () -> fcopy.copyToGuest(file, "x.bin", false));
            assertEquals(IcConstants.DISK_FULL, e.result().status());
            assertTrue(guest.cancelled);
            assertEquals(IcConstants.FCOPY_CANCEL, guest.operations.getLast());
            assertEquals("", guest.start.pathName());
        }
    }

    @Test
    void aFifoOrADeviceIsRefusedBeforeAnythingReachesTheGuest() throws Exception {
        FileCopyService fcopy = new FileCopyService();
        GuestFile guest = new GuestFile();
        Path fifo = dir.resolve("pipe");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());
        try (IcFixture f = new IcFixture(fcopy)) {
            f.guest(fcopy, IcVersions.FCOPY, guest);
            IcFixture.waitForNegotiation(fcopy);
            // Before the fix: a FIFO blocked the copy forever and /dev/zero streamed into the guest without end.
            HostFileException pipe = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> assertThrows(HostFileException.class, () -> fcopy.copyToGuest(fifo, "pipe", true)));
            assertTrue(pipe.problem().contains("FIFO"), pipe.getMessage());
            HostFileException zero = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> assertThrows(HostFileException.class, () -> fcopy.copyToGuest(Path.of("/dev/zero"), "zero", true)));
            assertTrue(zero.problem().contains("not a regular file"), zero.getMessage());
            assertTrue(guest.operations.isEmpty(), "nothing was sent to the guest: " + guest.operations);
            // The service still copies a regular file afterwards.
            Path file = Files.write(dir.resolve("ok.bin"), new byte[10_000]);
            assertEquals(10_000, fcopy.copyToGuest(file, "ok.bin", true));
        }
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }
}
