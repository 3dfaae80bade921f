package dev.parvis.devices.storvsp.fuzz;

import dev.parvis.devices.storvsp.client.StorVsc;
import dev.parvis.devices.storvsp.client.StorVscCompletion;
import dev.parvis.devices.storvsp.protocol.ProtocolVersion;
import dev.parvis.devices.storvsp.protocol.ScsiRequest;
import dev.parvis.vmbus.client.ClientChannel;
import dev.parvis.vmbus.client.GuestPages;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A well-behaved guest on another controller of the same VMBus server: it fills its disk with a
 * known pattern, then reads 4 KiB at random places on its own thread, one at a time, and checks
 * each. The fuzz test watches its count go up while the other channel is fuzzed.
 */
final class SteadyReader implements AutoCloseable {
    private static final int CHUNK = 64 << 10;

    private final StorVsc storvsc;
    private final GuestPages buffer;
    private final long diskBytes;
    private final AtomicLong reads = new AtomicLong();
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean stopping;

    SteadyReader(ClientChannel channel, GuestPages buffer, long diskBytes, long seed) throws Exception {
        this.storvsc = new StorVsc(channel);
        this.buffer = buffer;
        this.diskBytes = diskBytes;
        storvsc.initialize(List.of(ProtocolVersion.WIN10));
        fill();
        thread = Thread.ofPlatform().daemon().name("steady-reader").start(() -> readLoop(new Random(seed)));
    }

    static byte pattern(long offset) {
        return (byte) (offset / 512 * 31 + offset % 251);
    }

    private void fill() throws Exception {
        MemorySegment data = buffer.contiguous().asSlice(0, CHUNK);
        for (long at = 0; at < diskBytes; at += CHUNK) {
            for (int i = 0; i < CHUNK; i++) {
                data.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, pattern(at + i));
            }
            StorVscCompletion done = run(cdb10(0x2A, at / 512, CHUNK / 512), ScsiRequest.DATA_OUT, CHUNK);
            if (!done.ok()) {
                throw new IllegalStateException("the steady reader's disk refused its pattern: " + done);
            }
        }
    }

    /** READ (10) or WRITE (10). */
    private static byte[] cdb10(int opcode, long lba, int blocks) {
        return java.nio.ByteBuffer.allocate(10).put((byte) opcode).put((byte) 0).putInt((int) lba).put((byte) 0)
                .putShort((short) blocks).put((byte) 0).array();
    }

    private StorVscCompletion run(byte[] cdb, int dataIn, int length) throws Exception {
        long[] pfns = java.util.Arrays.copyOf(buffer.gpns(), (length + 4095) / 4096);
        return storvsc.execute(storvsc.srb(0, cdb, dataIn, length), pfns, 0, length).get(30, TimeUnit.SECONDS);
    }

    private void readLoop(Random random) {
        try {
            while (!stopping) {
                long lba = random.nextLong(diskBytes / 512 - 8);
                StorVscCompletion done = run(cdb10(0x28, lba, 8), ScsiRequest.DATA_IN, 4096);
                check(done, lba);
                reads.incrementAndGet();
                Thread.sleep(1);
            }
        } catch (Exception e) {
            failure.compareAndSet(null, "read failed: " + e);
        }
    }

    private void check(StorVscCompletion done, long lba) {
        if (!done.ok()) {
            failure.compareAndSet(null, "read of LBA " + lba + " answered " + done);
            return;
        }
        MemorySegment data = buffer.contiguous();
        for (int i = 0; i < 4096; i++) {
            if (data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) != pattern(lba * 512 + i)) {
                failure.compareAndSet(null, "read of LBA " + lba + " returned other bytes at " + i);
                return;
            }
        }
    }

    long reads() {
        return reads.get();
    }

    /** What went wrong, or null. */
    String failure() {
        return failure.get();
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        thread.join(TimeUnit.SECONDS.toMillis(35));
        storvsc.close();
    }
}
