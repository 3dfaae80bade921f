package dev.parvis.devices.storvsp;

import dev.parvis.abi.vmbus.Guid;
import dev.parvis.devices.storvsp.scsi.BackingDisk;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A heap disk whose reads wait until the test opens the gate of their LBA: a disk as slow as the test wants. */
final class GatedDisk implements BackingDisk {
    private final byte[] bytes;
    private final Map<Long, CountDownLatch> gates = new ConcurrentHashMap<>();
    final AtomicInteger waiting = new AtomicInteger();
    /** Thrown by every read when set: a backing store failing in a way nobody planned for. */
    volatile RuntimeException readFailure;

    GatedDisk(int size) {
        bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i / 512);
        }
    }

    private CountDownLatch gate(long lba) {
        return gates.computeIfAbsent(lba, l -> new CountDownLatch(1));
    }

    void open(long lba) {
        gate(lba).countDown();
    }

    @Override
    public String name() {
        return "gated";
    }

    @Override
    public long sizeBytes() {
        return bytes.length;
    }

    @Override
    public int logicalSectorSize() {
        return 512;
    }

    @Override
    public int physicalSectorSize() {
        return 512;
    }

    @Override
    public boolean readOnly() {
        return false;
    }

    @Override
    public Guid identity() {
        return Guid.parse("11111111-2222-4333-8444-555555555555");
    }

    @Override
    public void read(long offset, ByteBuffer dst) {
        if (readFailure != null) {
            throw readFailure;
        }
        waiting.incrementAndGet();
        try {
            if (!gate(offset / 512).await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("gate never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            waiting.decrementAndGet();
        }
        dst.put(bytes, (int) offset, dst.remaining());
    }

    @Override
    public void write(long offset, ByteBuffer src) {
        src.get(bytes, (int) offset, src.remaining());
    }

    @Override
    public void flush() {
    }

    @Override
    public void settle() {
    }
}
