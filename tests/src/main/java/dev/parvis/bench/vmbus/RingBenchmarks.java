package dev.parvis.bench.vmbus;

import dev.parvis.vmbus.ring.IncomingPacket;
import dev.parvis.abi.vmbus.PacketType;
import dev.parvis.vmbus.ring.RingBuffer;
import dev.parvis.vmbus.ring.RingCorruptException;
import dev.parvis.vmbus.ring.RingMemory;
import dev.parvis.vmbus.ring.RingReader;
import dev.parvis.vmbus.ring.RingWriter;
import dev.parvis.vmbus.ring.WriteResult;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Ring throughput (64 KiB packets) and packet rate (64-byte packets) from a Java writer thread to a
 * Java reader thread through a native ring, each against two threads doing the same two copies
 * with plain {@link MemorySegment#copy} (writer: source to ring-sized buffer; reader: back out).
 * Warm-up, then the median of several repetitions, all in one run.
 */
public final class RingBenchmarks {
    /** Data bytes of every ring (and ring-sized copy buffer) here: 512 KiB. */
    public static final int RING_DATA = 512 * 1024;
    private static final int BIG = 64 * 1024;
    private static final int SMALL = 64;
    private static final long BIG_BYTES = 2L << 30;
    private static final long SMALL_PACKETS = 4_000_000;
    private static final int WARMUP = 2;
    private static final int REPETITIONS = 5;
    /** Polls of the other side's index before a side parks (the default of the ring benchmarks). */
    public static final int SPINS = 20_000;
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    private RingBenchmarks() {
    }

    public static void main(String[] args) {
        run().forEach(System.out::println);
    }

    public static List<String> run() {
        List<String> lines = new ArrayList<>();
        long bigPackets = BIG_BYTES / BIG;
        double ringBig = median(() -> ringSeconds(BIG, bigPackets));
        double copyBig = median(() -> copySeconds(BIG, bigPackets));
        double ringGbps = BIG_BYTES / ringBig / 1e9;
        double copyGbps = BIG_BYTES / copyBig / 1e9;
        lines.add("vmbus ring 64 KiB packets, writer thread -> reader thread, %d KiB native ring: %.2f GB/s; "
                .formatted(RING_DATA / 1024, ringGbps)
                + "MemorySegment.copy same bytes, 2 threads, 64 KiB chunks: %.2f GB/s ratio=%.2f"
                .formatted(copyGbps, ringGbps / copyGbps));
        double sharedBig = median(() -> sharedCopySeconds(BIG, bigPackets));
        double oneThreadBig = median(() -> oneThreadRingSeconds(BIG, bigPackets));
        lines.add(("vmbus ring 64 KiB packets, context: MemorySegment.copy into and out of ONE shared %d KiB buffer, "
                + "2 threads, no ring (same cross-core traffic): %.2f GB/s; ring with writer and reader on one thread: "
                + "%.2f GB/s").formatted(RING_DATA / 1024, BIG_BYTES / sharedBig / 1e9, BIG_BYTES / oneThreadBig / 1e9));
        double ringSmall = median(() -> ringSeconds(SMALL, SMALL_PACKETS));
        double copySmall = median(() -> copySeconds(SMALL, SMALL_PACKETS));
        double ringMpps = SMALL_PACKETS / ringSmall / 1e6;
        double copyMpps = SMALL_PACKETS / copySmall / 1e6;
        lines.add("vmbus ring 64 B packets, writer thread -> reader thread: %.2f Mpps; ".formatted(ringMpps)
                + "MemorySegment.copy of 64 B chunks in a loop, 2 threads: %.2f M chunks/s ratio=%.2f"
                .formatted(copyMpps, ringMpps / copyMpps));
        return lines;
    }

    private interface Trial {
        double seconds() throws Exception;
    }

    private static double median(Trial trial) {
        try {
            for (int i = 0; i < WARMUP; i++) {
                trial.seconds();
            }
            double[] samples = new double[REPETITIONS];
            for (int i = 0; i < REPETITIONS; i++) {
                samples[i] = trial.seconds();
            }
            Arrays.sort(samples);
            return samples[REPETITIONS / 2];
        } catch (Exception e) {
            throw new IllegalStateException("benchmark failed", e);
        }
    }

    /** Seconds to move {@code packets} packets of {@code payload} bytes through a fresh ring. */
    public static double ringSeconds(int payload, long packets) throws Exception {
        return ringRun(payload, packets, SPINS).seconds();
    }

    /**
     * One run of the raw two-thread ring: wall seconds, each thread's CPU seconds (its own clock,
     * so time it spent preempted or parked is not in it) and how often a side parked.
     */
    public record RingRun(double seconds, double writerCpu, double readerCpu, long parks) {
        /** Threads on a CPU per wall second: 2 when both ran all along, 1 when they took turns. */
        public double onCpu() {
            return (writerCpu + readerCpu) / seconds;
        }
    }

    /**
     * Like {@link #ringSeconds}, a side that finds the ring full (writer) or empty (reader) polls up
     * to {@code spins} times before it parks until the other side's signal; 0 parks at once.
     */
    public static RingRun ringRun(int payload, long packets, int spins) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RingMemory memory = RingMemory.flat(arena.allocate(4096 + RING_DATA, 4096));
            RingBuffer.initialize(memory);
            RingBuffer ring = new RingBuffer(memory);
            MemorySegment source = arena.allocate(payload, 64).fill((byte) 0x3C);
            MemorySegment buffer = arena.allocate(payload + 64, 64);
            Signals signals = new Signals();
            long[] cpu = new long[2];
            double seconds = timePair(
                    () -> produce(ring.writer(), source, packets, signals, spins),
                    () -> consume(ring.reader(), buffer, packets, signals, spins),
                    signals, cpu);
            return new RingRun(seconds, cpu[0] / 1e9, cpu[1] / 1e9, signals.parks.get());
        }
    }

    /**
     * Seconds for ONE thread to copy {@code chunks} chunks of {@code chunk} bytes from one source
     * into a ring-sized buffer, wrapping like a ring: a plain MemorySegment.copy of the same bytes.
     */
    public static double oneThreadCopySeconds(int chunk, long chunks) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment source = arena.allocate(chunk, 64).fill((byte) 0x3C);
            MemorySegment into = arena.allocate(RING_DATA, 4096);
            long mask = RING_DATA - 1;
            long t0 = System.nanoTime();
            for (long i = 0; i < chunks; i++) {
                MemorySegment.copy(source, 0, into, (i * chunk) & mask, chunk);
            }
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    /** Seconds for two threads to each copy {@code chunks} chunks: into and out of a ring-sized buffer. */
    public static double copySeconds(int chunk, long chunks) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment source = arena.allocate(chunk, 64).fill((byte) 0x3C);
            MemorySegment into = arena.allocate(RING_DATA, 4096);
            MemorySegment outOf = arena.allocate(RING_DATA, 4096).fill((byte) 0x5A);
            MemorySegment dest = arena.allocate(chunk, 64);
            long mask = RING_DATA - 1;
            return timePair(() -> {
                for (long i = 0; i < chunks; i++) {
                    MemorySegment.copy(source, 0, into, (i * chunk) & mask, chunk);
                }
            }, () -> {
                for (long i = 0; i < chunks; i++) {
                    MemorySegment.copy(outOf, (i * chunk) & mask, dest, 0, chunk);
                }
            }, new Signals());
        }
    }

    /** Like {@link #copySeconds} but both threads use the same buffer, so the lines move between cores. */
    public static double sharedCopySeconds(int chunk, long chunks) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment source = arena.allocate(chunk, 64).fill((byte) 0x3C);
            MemorySegment shared = arena.allocate(RING_DATA, 4096);
            MemorySegment dest = arena.allocate(chunk, 64);
            long mask = RING_DATA - 1;
            return timePair(() -> {
                for (long i = 0; i < chunks; i++) {
                    MemorySegment.copy(source, 0, shared, (i * chunk) & mask, chunk);
                }
            }, () -> {
                for (long i = 0; i < chunks; i++) {
                    MemorySegment.copy(shared, (i * chunk) & mask, dest, 0, chunk);
                }
            }, new Signals());
        }
    }

    /** Write one packet, read it back, on a single thread: the ring's cost without cross-core traffic. */
    public static double oneThreadRingSeconds(int payload, long packets) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RingMemory memory = RingMemory.flat(arena.allocate(4096 + RING_DATA, 4096));
            RingBuffer.initialize(memory);
            RingBuffer ring = new RingBuffer(memory);
            MemorySegment source = arena.allocate(payload, 64).fill((byte) 0x3C);
            MemorySegment buffer = arena.allocate(payload + 64, 64);
            long t0 = System.nanoTime();
            for (long i = 0; i < packets; i++) {
                ring.writer().write(PacketType.DATA_INBAND, 0, i, null, source);
                ring.reader().read(buffer);
                ring.reader().commit();
            }
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    private interface Body {
        void run() throws Exception;
    }

    private static double timePair(Body first, Body second, Signals signals) throws Exception {
        return timePair(first, second, signals, new long[2]);
    }

    /** Runs both bodies from one start; {@code cpuNanos} gets each thread's CPU time. */
    private static double timePair(Body first, Body second, Signals signals, long[] cpuNanos) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        Throwable[] failure = new Throwable[1];
        Thread a = worker("ring-writer", first, start, failure, cpuNanos, 0);
        Thread b = worker("ring-reader", second, start, failure, cpuNanos, 1);
        signals.producer = a;
        signals.consumer = b;
        a.start();
        b.start();
        long t0 = System.nanoTime();
        start.countDown();
        a.join();
        b.join();
        long t1 = System.nanoTime();
        if (failure[0] != null) {
            throw new IllegalStateException(failure[0]);
        }
        return (t1 - t0) / 1e9;
    }

    private static Thread worker(String name, Body body, CountDownLatch start, Throwable[] failure, long[] cpuNanos, int slot) {
        return Thread.ofPlatform().name(name).unstarted(() -> {
            try {
                start.await();
                long cpu0 = CPU.getCurrentThreadCpuTime();
                body.run();
                cpuNanos[slot] = CPU.getCurrentThreadCpuTime() - cpu0;
            } catch (Throwable t) {
                synchronized (failure) {
                    failure[0] = t;
                }
            }
        });
    }

    private static void produce(RingWriter writer, MemorySegment payload, long packets, Signals signals, int spins)
            throws RingCorruptException {
        long total = RingWriter.packetSize(0, payload.byteSize());
        for (long i = 0; i < packets; i++) {
            while (true) {
                WriteResult result = writer.write(PacketType.DATA_INBAND, 0, i, null, payload);
                if (result == WriteResult.WRITTEN_SIGNAL) {
                    signals.signal(signals.data, signals.consumer);
                }
                if (result != WriteResult.FULL) {
                    break;
                }
                for (int spin = 0; spin < spins && writer.freeBytes() <= total; spin++) {
                    Thread.onSpinWait();
                }
                if (!writer.requestSpace((int) total)) {
                    signals.await(signals.space);
                }
                writer.clearSpaceRequest();
            }
        }
    }

    private static void consume(RingReader reader, MemorySegment buffer, long packets, Signals signals, int spins)
            throws RingCorruptException {
        long count = 0;
        reader.setInterruptMask(true);
        while (count < packets) {
            IncomingPacket packet;
            while ((packet = reader.read(buffer)) != null) {
                count++;
                if ((count & 63) == 0 && reader.commit()) {
                    signals.signal(signals.space, signals.producer);
                }
            }
            if (reader.commit()) {
                signals.signal(signals.space, signals.producer);
            }
            if (count == packets) {
                break;
            }
            // Poll with the mask set for a while, then unmask, re-check and sleep (section 7.5).
            boolean data = false;
            for (int spin = 0; spin < spins && !(data = reader.hasData()); spin++) {
                Thread.onSpinWait();
            }
            if (!data) {
                reader.setInterruptMask(false);
                if (!reader.hasData()) {
                    signals.await(signals.data);
                }
                reader.setInterruptMask(true);
            }
        }
    }

    /** Park/unpark driven by WriteResult and commit(); a wait longer than 10 s is a lost signal. */
    private static final class Signals {
        final AtomicBoolean data = new AtomicBoolean();
        final AtomicBoolean space = new AtomicBoolean();
        final AtomicLong parks = new AtomicLong();
        volatile Thread producer;
        volatile Thread consumer;

        void signal(AtomicBoolean flag, Thread thread) {
            flag.set(true);
            LockSupport.unpark(thread);
        }

        void await(AtomicBoolean flag) {
            parks.incrementAndGet();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!flag.getAndSet(false)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("lost ring signal");
                }
                LockSupport.parkNanos(left);
            }
        }
    }
}
