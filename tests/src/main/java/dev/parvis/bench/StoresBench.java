package dev.parvis.bench;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.parvis.hv.backend.BackendChoice;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;

/**
 * {@code stores}: guest store bandwidth. The gcc-built {@code stores} guest runs its store_loop
 * (four quadword stores per iteration over a 64 KiB buffer) N times, timed from the root's request
 * to the reply, against the very same bytes ({@link #STORE_LOOP}) called natively on the host
 * processor over a 64 KiB buffer. The repetitions alternate between the two.
 */
final class StoresBench implements Benchmark {
    static final long BUFFER = 64 * 1024;
    static final long ROUNDS = 20_000;
    private static final int WARM_UP = 2;
    private static final int REPETITIONS = 9;
    /** store_loop(rdi = buffer, rsi = bytes, rdx = rounds), byte for byte as in guests/stores/main.c. */
    static final byte[] STORE_LOOP = bytes(0x49, 0x89, 0xf8, 0x48, 0x89, 0xf1, 0x48, 0xc1, 0xe9, 0x05, 0x49, 0x89, 0x10, 0x49, 0x89,
            0x50, 0x08, 0x49, 0x89, 0x50, 0x10, 0x49, 0x89, 0x50, 0x18, 0x49, 0x83, 0xc0, 0x20, 0x48, 0xff, 0xc9, 0x75, 0xe8, 0x48,
            0xff, 0xca, 0x75, 0xd9, 0xc3);

    @Override
    public String name() {
        return "stores";
    }

    @Override
    public void run(PrintStream out, BackendChoice backend) throws Exception {
        Samples guest = new Samples();
        Samples host = new Samples();
        MemorySegment buffer = NativeCode.buffer(BUFFER);
        String on;
        long rounds;
        try (GuestSession stores = GuestSession.start("stores", backend); NativeCode loop = new NativeCode(STORE_LOOP)) {
            on = stores.backendName();
            rounds = on.equals("kvm") ? ROUNDS : ROUNDS / 100;
            for (int i = 0; i < WARM_UP + REPETITIONS; i++) {
                double g = gigabytesPerSecond(rounds, stores.roundTrip(rounds, StoresBench::checkEcho));
                double h = gigabytesPerSecond(rounds, loop.time(buffer.address(), BUFFER, rounds));
                if (i >= WARM_UP) {
                    guest.add(g);
                    host.add(h);
                }
            }
        }
        // Both sides run at the processor's speed; only interference slows a run, so each side's best run counts.
        out.printf("stores: %s guest store loop %.2f GB/s, the same bytes natively %.2f GB/s (best of %d interleaved runs each)"
                + " ratio=%.3f%n", on, guest.max(), host.max(), REPETITIONS, guest.max() / host.max());
        out.printf("stores: context: over a 64 KiB buffer, %d MiB per run; medians guest %.2f GB/s, native %.2f GB/s; ranges guest"
                + " %.2f-%.2f, native %.2f-%.2f GB/s%n", rounds * BUFFER >> 20, guest.median(), host.median(), guest.min(), guest.max(),
                host.min(), host.max());
    }

    private static double gigabytesPerSecond(long rounds, long nanos) {
        return (double) rounds * BUFFER / nanos;
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static void checkEcho(long n, MemorySegment reply) {
        if (reply.byteSize() < 8 || reply.get(JAVA_LONG_UNALIGNED, 0) != n) {
            throw new IllegalStateException("stores replied " + reply.byteSize() + " bytes, not {u64 " + n + "}");
        }
    }
}
