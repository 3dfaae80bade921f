package dev.parvis.vmbus.ring;

import dev.parvis.abi.vmbus.PacketType;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * One producer and one consumer thread, signalling each other only as WriteResult and commit() say.
 * Each side waits for an explicit signal with a deadline, so a lost signal fails instead of hanging.
 */
class RingConcurrencyTest {
    private static final int PACKETS = 1_000_000;
    private static final long SEED = 42;
    private static final long LOST_SIGNAL_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** Payload bytes are a window of this pattern chosen by the sequence number. */
    private static final int PATTERN = 16384;

    private final AtomicBoolean dataSignal = new AtomicBoolean();
    private final AtomicBoolean spaceSignal = new AtomicBoolean();
    private volatile Thread producerThread;
    private volatile Thread consumerThread;
    private volatile boolean failed;
    private volatile RingMemory memory;

    @Test
    void producerAndConsumerExchangeAMillionPacketsWithEveryByteChecked() throws Exception {
        MemorySegment pattern = TestRings.randomBytes(new java.util.Random(SEED), PATTERN + 4096);
        try (Arena arena = Arena.ofShared()) {
            memory = RingMemory.flat(arena.allocate(4096 + 65536, 4096));
            RingBuffer.initialize(memory);
            RingBuffer ring = new RingBuffer(memory);
            FutureTask<Long> consumer = new FutureTask<>(() -> consume(ring, pattern));
            FutureTask<Long> producer = new FutureTask<>(() -> produce(ring, pattern));
            Thread.ofPlatform().name("ring-consumer").daemon().start(consumer);
            Thread.ofPlatform().name("ring-producer").daemon().start(producer);
            try {
                long waits = producer.get(120, TimeUnit.SECONDS);
                long consumed = consumer.get(120, TimeUnit.SECONDS);
                assertEquals(PACKETS, consumed);
                System.out.println("producer waited for space " + waits + " times");
            } catch (ExecutionException e) {
                failed = true;
                throw e;
            }
        }
    }

    private static int offsetOf(long seq) {
        return (int) ((seq * 2654435761L) & (PATTERN - 1));
    }

    private long produce(RingBuffer ring, MemorySegment pattern) {
        producerThread = Thread.currentThread();
        RingWriter writer = ring.writer();
        SplittableRandom sizes = new SplittableRandom(SEED);
        long waits = 0;
        try {
            for (long seq = 0; seq < PACKETS; seq++) {
                int size = 1 + sizes.nextInt(4096);
                MemorySegment payload = pattern.asSlice(offsetOf(seq), size);
                while (true) {
                    WriteResult result = writer.write(PacketType.DATA_INBAND, 0, seq, null, payload);
                    if (result == WriteResult.WRITTEN_SIGNAL) {
                        signal(dataSignal, consumerThread);
                    }
                    if (result != WriteResult.FULL) {
                        break;
                    }
                    if (!writer.requestSpace((int) RingWriter.packetSize(0, size))) {
                        waits++;
                        await(spaceSignal, "space");
                    }
                    writer.clearSpaceRequest();
                }
            }
        } catch (RingCorruptException e) {
            throw new AssertionError(e);
        }
        return waits;
    }

    private long consume(RingBuffer ring, MemorySegment pattern) {
        consumerThread = Thread.currentThread();
        RingReader reader = ring.reader();
        SplittableRandom sizes = new SplittableRandom(SEED);
        MemorySegment buffer = MemorySegment.ofArray(new byte[8192]);
        long seq = 0;
        try {
            while (seq < PACKETS) {
                reader.setInterruptMask(true);
                IncomingPacket packet;
                while ((packet = reader.read(buffer)) != null) {
                    check(packet, seq, 1 + sizes.nextInt(4096), pattern);
                    seq++;
                    if ((seq & 7) == 0 && reader.commit()) {
                        signal(spaceSignal, producerThread);
                    }
                }
                if (reader.commit()) {
                    signal(spaceSignal, producerThread);
                }
                reader.setInterruptMask(false);
                if (!reader.hasData() && seq < PACKETS) {
                    await(dataSignal, "data");
                }
            }
        } catch (RingCorruptException e) {
            throw new AssertionError(e);
        }
        return seq;
    }

    private static void check(IncomingPacket packet, long seq, int size, MemorySegment pattern) {
        if (packet.transactionId() != seq) {
            throw new AssertionError("packet " + packet.transactionId() + ", expected " + seq);
        }
        MemorySegment payload = packet.payload();
        if (payload.byteSize() != ((size + 7) & ~7)) {
            throw new AssertionError("packet " + seq + ": payload " + payload.byteSize() + " for " + size + " bytes");
        }
        long mismatch = MemorySegment.mismatch(pattern, offsetOf(seq), offsetOf(seq) + size, payload, 0, size);
        if (mismatch != -1) {
            throw new AssertionError("packet " + seq + ": byte " + mismatch + " differs");
        }
        for (int i = size; i < payload.byteSize(); i++) {
            if (payload.get(ValueLayout.JAVA_BYTE, i) != 0) {
                throw new AssertionError("packet " + seq + ": padding byte " + i);
            }
        }
    }

    private static void signal(AtomicBoolean flag, Thread thread) {
        flag.set(true);
        LockSupport.unpark(thread);
    }

    private void await(AtomicBoolean flag, String what) {
        long deadline = System.nanoTime() + LOST_SIGNAL_NANOS;
        while (!flag.getAndSet(false)) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || failed) {
                throw new AssertionError("lost signal: no " + what + " signal within 5 s; control w=%d r=%d mask=%d pss=%d"
                        .formatted(TestRings.word(memory, 0), TestRings.word(memory, 4), TestRings.word(memory, 8),
                                TestRings.word(memory, 12)));
            }
            LockSupport.parkNanos(left);
        }
    }
}
