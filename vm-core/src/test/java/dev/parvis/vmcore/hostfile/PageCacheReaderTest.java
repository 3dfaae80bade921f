package dev.parvis.vmcore.hostfile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PageCacheReaderTest {
    private static final int FILE_BYTES = 4 << 20;

    @TempDir
    Path dir;

    @Test
    void aCachedRangeIsReadAndAnUncachedOneIsReportedNotWaitedFor() throws Exception {
        byte[] content = content();
        Path file = uncachedFile(content);
        try (OpenedHostFile opened = HostFile.open(file, FILE_BYTES, HostFile.Links.REFUSE, HostFile.Access.READ);
             Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(8192);
            long at = 3L << 20;
            // A read that waited for the disk would have succeeded: false is EAGAIN, the disk untouched by this thread.
            assertFalse(opened.pageCache().readCached(at, dst), "the range was dropped from the page cache");
            opened.channel().read(ByteBuffer.allocate(8192), at); // the ordinary read brings it in
            assertTrue(opened.pageCache().readCached(at, dst));
            assertArrayEquals(java.util.Arrays.copyOfRange(content, (int) at, (int) at + 8192), dst.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void aRangePastTheEndTooLargeOrIntoReadOnlyMemoryIsNotRead() throws Exception {
        Path file = durableFile(content());
        try (OpenedHostFile opened = HostFile.open(file, FILE_BYTES, HostFile.Links.REFUSE, HostFile.Access.READ_WRITE);
             Arena arena = Arena.ofConfined()) {
            opened.channel().read(ByteBuffer.allocate(FILE_BYTES), 0);
            assertFalse(opened.pageCache().readCached(FILE_BYTES - 4096, arena.allocate(8192)), "past the end");
            assertFalse(opened.pageCache().readCached(0, arena.allocate(PageCacheReader.MAX_BYTES + 4096)), "too large");
            assertFalse(opened.pageCache().readCached(0, arena.allocate(4096).asReadOnly()), "read-only destination");
            assertTrue(opened.pageCache().readCached(0, arena.allocate(PageCacheReader.MAX_BYTES)));
            opened.pageCache().close();
            assertFalse(opened.pageCache().readCached(0, arena.allocate(4096)), "closed");
        }
    }

    /**
     * Guest RAM is revoked by closing its epoch's arena: a read into a segment of a closed arena must
     * fail, and the memory behind it (still mapped here, as guest RAM stays mapped after a page leaves
     * the guest) must not be written. The native destination's scope is what the read holds.
     */
    @Test
    void aReadIntoMemoryWhoseArenaClosedFailsAndWritesNothing() throws Exception {
        try (OpenedHostFile opened = cachedFile(content());
             Arena backing = Arena.ofConfined()) {
            MemorySegment memory = backing.allocate(4096);
            Arena epoch = Arena.ofShared();
            MemorySegment granted = memory.reinterpret(epoch, null);
            assertTrue(opened.pageCache().readCached(0, granted), "read while the arena is open");
            memory.fill((byte) 0);
            epoch.close();
            assertThrows(IllegalStateException.class, () -> opened.pageCache().readCached(8192, granted));
            assertEquals(-1, memory.mismatch(backing.allocate(4096)), "bytes written after the arena closed");
        }
    }

    /** Heap memory takes the bounce buffer, native memory the direct read: the same bytes either way. */
    @Test
    void heapAndNativeDestinationsReceiveTheSameBytes() throws Exception {
        byte[] content = content();
        try (OpenedHostFile opened = cachedFile(content);
             Arena arena = Arena.ofConfined()) {
            byte[] heap = new byte[12288];
            MemorySegment nativeDst = arena.allocate(12288);
            assertTrue(opened.pageCache().readCached(40960 + 512, MemorySegment.ofArray(heap)));
            assertTrue(opened.pageCache().readCached(40960 + 512, nativeDst));
            byte[] expected = java.util.Arrays.copyOfRange(content, 40960 + 512, 40960 + 512 + 12288);
            assertArrayEquals(expected, heap);
            assertArrayEquals(expected, nativeDst.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    /** A VMBus channel's turns are a new virtual thread each time: their reads reuse the bounce buffers. */
    @Test
    void readsOnEverNewVirtualThreadsReuseTheirBounceBuffers() throws Exception {
        byte[] content = content();
        try (OpenedHostFile opened = cachedFile(content);
             Arena arena = Arena.ofShared()) {
            MemorySegment dst = arena.allocate(4096);
            long before = PageCacheReader.scratchBuffersMade();
            for (int i = 0; i < 50; i++) {
                long at = i * 65536L;
                boolean[] read = new boolean[1];
                Thread.ofVirtual().start(() -> read[0] = opened.pageCache().readCached(at, dst)).join();
                assertTrue(read[0], "read " + i);
                assertArrayEquals(java.util.Arrays.copyOfRange(content, (int) at, (int) at + 4096),
                        dst.toArray(ValueLayout.JAVA_BYTE), "read " + i);
            }
            long made = PageCacheReader.scratchBuffersMade() - before;
            assertTrue(made <= 1, "50 reads on 50 threads, one after another, made " + made + " bounce buffers");
        }
    }

    @Test
    void readWriteOpenWritesTheCheckedFile() throws Exception {
        Path file = durableFile(new byte[8192]);
        try (OpenedHostFile opened = HostFile.open(file, FILE_BYTES, HostFile.Links.REFUSE, HostFile.Access.READ_WRITE)) {
            assertEquals(4, opened.channel().write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), 100));
        }
        assertEquals(3, Files.readAllBytes(file)[102]);
    }

    private static byte[] content() {
        byte[] content = new byte[FILE_BYTES];
        new Random(5).nextBytes(content);
        return content;
    }

    /** A durable file opened read-only, every page of it read once (so cached). */
    private OpenedHostFile cachedFile(byte[] content) throws IOException {
        OpenedHostFile opened = HostFile.open(durableFile(content), FILE_BYTES, HostFile.Links.REFUSE, HostFile.Access.READ);
        opened.channel().read(ByteBuffer.allocate(FILE_BYTES), 0);
        return opened;
    }

    /** A durable file none of whose pages the page cache holds, proven with mincore(2). */
    private Path uncachedFile(byte[] content) throws Exception {
        Path file = durableFile(content);
        PageCacheFiles.drop(file);
        assertEquals(0, PageCacheFiles.residentPages(file), "pages of the file still cached after the drop");
        return file;
    }

    /** On a disk-backed file system: a tmpfs answers RWF_NOWAIT reads with EOPNOTSUPP, so nothing is read there. */
    private Path durableFile(byte[] content) throws IOException {
        return durableFile(PageCacheFiles.evictableDirectory(dir), content);
    }

    private static Path durableFile(Path where, byte[] content) throws IOException {
        Path file = where.resolve("disk.bin");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(content));
            ch.force(true); // clean pages: the page cache may drop them
        }
        return file;
    }
}
