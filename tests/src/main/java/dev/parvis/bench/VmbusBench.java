package dev.parvis.bench;

import dev.parvis.hv.backend.BackendChoice;
import dev.parvis.bench.vmbus.LoopbackPath;
import dev.parvis.bench.vmbus.RingBenchmarks;
import dev.parvis.bench.vmbus.SinkDevice;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code vmbus}: the VMBus data path (issue: "Java-server-to-Java-client ring throughput for 64 KiB
 * packets against a plain MemorySegment copy of the same bytes (target: at least half of the copy
 * rate); 64-byte packets per second; and guest-to-root packets per second for the emulated guest").
 * <ol>
 * <li>64 KiB packets through the real Java path ({@link LoopbackPath}: VmbusClient ->
 *     ClientChannel -> ring -> ServerChannel worker -> {@link SinkDevice}), sender and server
 *     worker on two threads, against ONE thread doing MemorySegment.copy of the same bytes into a
 *     ring-sized buffer. Context: the raw RingWriter/RingReader ring on two threads and on one.</li>
 * <li>64-byte packets per second through the same path against the raw RingWriter -> RingReader
 *     ring on two threads (the ring protocol without the VMBus channel machinery).</li>
 * <li>Guest-to-root 64-byte packets per second from the gcc-built {@code vmbus-blast} guest to the
 *     sink, counted on the root (sink counter delta over wall time, request posted to last packet
 *     counted), against the same guest's vmbus_send loop into a guest-private ring that nobody
 *     reads (no signals, no host): the guest's own per-packet cost, the ceiling for this path.</li>
 * </ol>
 * Repetitions alternate between each path and its baseline; lines report medians after warm-up.
 */
final class VmbusBench implements Benchmark {
    private static final int BIG = 64 * 1024;
    private static final int SMALL = 64;
    private static final long BIG_PACKETS = 16_384; // 1 GiB per repetition
    private static final long SMALL_PACKETS = 1_000_000;
    private static final int RING_DATA_PAGES = RingBenchmarks.RING_DATA / 4096;
    private static final int WARM_UP = 2;
    private static final int REPETITIONS = 5;
    private static final long GUEST_PACKETS = 20_000;
    /** The kernel's default run slice: the guest is preempted as it would be in production. */
    private static final Duration GUEST_RUN_SLICE = dev.parvis.hv.HypervisorConfig.DEFAULT_RUN_SLICE;
    private static final int GUEST_WARM_UP = 2;
    private static final int GUEST_REPETITIONS = 5;

    @Override
    public String name() {
        return "vmbus";
    }

    @Override
    public void run(PrintStream out, BackendChoice backend) throws Exception {
        javaPath(out);
        out.flush();
        guestPath(out, backend);
    }

    private static void javaPath(PrintStream out) throws Exception {
        Samples path = new Samples();
        Samples copy = new Samples();
        Samples raw2 = new Samples();
        Samples raw1 = new Samples();
        Samples shared = new Samples();
        Samples pathSmall = new Samples();
        Samples rawSmall = new Samples();
        long bigBytes = BIG_PACKETS * BIG;
        long signalsBig = 0;
        long signalsSmall = 0;
        long spaceSignalsBig = 0;
        try (Arena arena = Arena.ofConfined(); LoopbackPath vmbus = new LoopbackPath(RING_DATA_PAGES)) {
            MemorySegment big = arena.allocate(BIG, 64).fill((byte) 0x3C);
            MemorySegment small = arena.allocate(SMALL, 64).fill((byte) 0x3C);
            for (int i = 0; i < WARM_UP + REPETITIONS; i++) {
                boolean keep = i >= WARM_UP;
                long s0 = vmbus.signalsToHost();
                long g0 = vmbus.signalsToGuest();
                double p = vmbus.seconds(big, BIG_PACKETS);
                long s1 = vmbus.signalsToHost();
                long g1 = vmbus.signalsToGuest();
                double c = RingBenchmarks.oneThreadCopySeconds(BIG, BIG_PACKETS);
                double r2 = RingBenchmarks.ringSeconds(BIG, BIG_PACKETS);
                double r1 = RingBenchmarks.oneThreadRingSeconds(BIG, BIG_PACKETS);
                double sh = RingBenchmarks.sharedCopySeconds(BIG, BIG_PACKETS);
                if (keep) {
                    path.add(bigBytes / p / 1e9);
                    copy.add(bigBytes / c / 1e9);
                    raw2.add(bigBytes / r2 / 1e9);
                    raw1.add(bigBytes / r1 / 1e9);
                    shared.add(bigBytes / sh / 1e9);
                    signalsBig += s1 - s0;
                    spaceSignalsBig += g1 - g0;
                }
            }
            for (int i = 0; i < WARM_UP + REPETITIONS; i++) {
                long s0 = vmbus.signalsToHost();
                double p = vmbus.seconds(small, SMALL_PACKETS);
                long s1 = vmbus.signalsToHost();
                double r = RingBenchmarks.ringSeconds(SMALL, SMALL_PACKETS);
                if (i >= WARM_UP) {
                    pathSmall.add(SMALL_PACKETS / p / 1e6);
                    rawSmall.add(SMALL_PACKETS / r / 1e6);
                    signalsSmall += s1 - s0;
                }
            }
        }
        out.printf("vmbus: Java client -> Java server (Loopback, sink device), 64 KiB packets, %d KiB ring, 2 threads:"
                        + " %.2f GB/s; MemorySegment.copy of the same bytes, 1 thread, 64 KiB chunks into a %d KiB buffer:"
                        + " %.2f GB/s ratio=%.3f%n", RingBenchmarks.RING_DATA / 1024, path.median(),
                RingBenchmarks.RING_DATA / 1024, copy.median(), path.median() / copy.median());
        out.printf("vmbus: context: the VMBus path runs its two sides on two threads (sender = bench thread,"
                        + " receiver = ServerChannel worker, a virtual thread), so every byte crosses cores and is copied"
                        + " twice (into the ring, out into the server's receive buffer); the baseline copies once on one"
                        + " core. Same bytes: raw RingWriter->RingReader 2 threads %.2f GB/s (ratio to copy %.3f),"
                        + " raw ring writer+reader on ONE thread %.2f GB/s (%.3f), copy into and out of one shared"
                        + " buffer by 2 threads, no ring %.2f GB/s (%.3f)%n",
                raw2.median(), raw2.median() / copy.median(), raw1.median(), raw1.median() / copy.median(),
                shared.median(), shared.median() / copy.median());
        out.printf("vmbus: context: 64 KiB: VMBus path %.2f-%.2f GB/s, copy %.2f-%.2f GB/s over %d repetitions of %d MiB;"
                        + " guest->host signals %.4f per packet, host->guest space signals %.4f per packet%n",
                path.min(), path.max(), copy.min(), copy.max(), REPETITIONS, bigBytes >> 20,
                (double) signalsBig / (REPETITIONS * BIG_PACKETS), (double) spaceSignalsBig / (REPETITIONS * BIG_PACKETS));
        out.printf("vmbus: Java client -> Java server (Loopback, sink device), 64 B packets: %.2f Mpps;"
                        + " raw RingWriter->RingReader 2 threads, no channel machinery: %.2f Mpps ratio=%.3f%n",
                pathSmall.median(), rawSmall.median(), pathSmall.median() / rawSmall.median());
        out.printf("vmbus: context: 64 B: VMBus path %.2f-%.2f Mpps, raw ring %.2f-%.2f Mpps over %d repetitions of %d"
                        + " packets; guest->host signals %.4f per packet%n", pathSmall.min(), pathSmall.max(),
                rawSmall.min(), rawSmall.max(), REPETITIONS, SMALL_PACKETS,
                (double) signalsSmall / (REPETITIONS * SMALL_PACKETS));
    }

    private static void guestPath(PrintStream out, BackendChoice backend) throws Exception {
        Samples rootPps = new Samples();
        Samples guestPps = new Samples();
        Samples privatePps = new Samples();
        long signals = 0;
        long spaceWaits = 0;
        SinkDevice sink = new SinkDevice();
        String on;
        try (GuestSession blast = GuestSession.start("vmbus-blast", List.of(sink), GUEST_RUN_SLICE, backend)) {
            on = blast.backendName();
            for (int i = 0; i < GUEST_WARM_UP + GUEST_REPETITIONS; i++) {
                long base = sink.packets();
                long t0 = System.nanoTime();
                blast.post(request(GUEST_PACKETS, SMALL, 0));
                Reply real = Reply.parse(blast.awaitReply(), GUEST_PACKETS);
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (sink.packets() < base + GUEST_PACKETS) {
                    if (System.nanoTime() - deadline > 0) {
                        throw new IllegalStateException("the sink counted " + (sink.packets() - base) + " of "
                                + GUEST_PACKETS + " guest packets");
                    }
                    LockSupport.parkNanos(20_000);
                }
                long t1 = System.nanoTime();
                blast.post(request(GUEST_PACKETS, SMALL, 1));
                Reply priv = Reply.parse(blast.awaitReply(), GUEST_PACKETS);
                if (i >= GUEST_WARM_UP) {
                    rootPps.add(GUEST_PACKETS / ((t1 - t0) / 1e9));
                    guestPps.add(real.packetsPerSecond());
                    privatePps.add(priv.packetsPerSecond());
                    signals += real.signals;
                    spaceWaits += real.spaceWaits;
                }
            }
        }
        double n = (double) GUEST_REPETITIONS * GUEST_PACKETS;
        out.printf("vmbus: %s guest vmbus-blast -> root sink, 64 B packets: %.0f kpps (root: sink count over wall time);"
                        + " same vmbus_send loop into a guest-private ring, no reader, no signals: %.0f kpps ratio=%.3f%n",
                on, rootPps.median() / 1e3, privatePps.median() / 1e3, rootPps.median() / privatePps.median());
        out.printf("vmbus: context: guest: %.0f kpps by its own clock (TIME_REF_COUNT around the send loop),"
                        + " %.2f us per packet vs %.2f us per private-ring packet; %.4f signals and %.4f space waits per"
                        + " packet; root %.0f-%.0f kpps over %d requests of %d packets; VP run slice %d ms%n",
                guestPps.median() / 1e3, 1e6 / guestPps.median(), 1e6 / privatePps.median(), signals / n, spaceWaits / n,
                rootPps.min() / 1e3, rootPps.max() / 1e3, GUEST_REPETITIONS, GUEST_PACKETS,
                GUEST_RUN_SLICE.toMillis());
    }

    private static byte[] request(long n, int size, int mode) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(n).putInt(size).putInt(mode).array();
    }

    /** vmbus-blast's reply {u64 n, u64 elapsed_100ns, u64 signals, u64 space_waits, u64 failures}. */
    private record Reply(long n, long elapsed100ns, long signals, long spaceWaits) {
        static Reply parse(byte[] payload, long expected) {
            if (payload.length < 40) {
                throw new IllegalStateException("vmbus-blast replied " + payload.length + " bytes");
            }
            ByteBuffer b = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
            Reply r = new Reply(b.getLong(0), b.getLong(8), b.getLong(16), b.getLong(24));
            long failures = b.getLong(32);
            if (r.n != expected || failures != 0 || r.elapsed100ns <= 0) {
                throw new IllegalStateException("vmbus-blast: n=" + r.n + " (expected " + expected + "), " + failures
                        + " sends failed, elapsed " + r.elapsed100ns);
            }
            return r;
        }

        double packetsPerSecond() {
            return n / (elapsed100ns * 100e-9);
        }
    }
}
