package dev.parvis.bench;

import dev.parvis.bench.storage.GuestDiskBench;
import dev.parvis.bench.storage.StoragePath;
import dev.parvis.devices.vhdx.CreateRequest;
import dev.parvis.devices.vhdx.OpenOptions;
import dev.parvis.devices.vhdx.VhdxCreator;
import dev.parvis.devices.vhdx.VhdxDisk;
import dev.parvis.hv.backend.BackendChoice;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * {@code storage}: the storvsp data path against the raw file (issue 10: "4 KiB random reads with 32
 * outstanding through storvsp driven by a Java storvsc client, against a Java FileChannel reading the
 * same offsets of the same payload directly (target >= 0.5); sequential 1 MiB reads and writes the same
 * way").
 * <ul>
 * <li>ours: {@link StoragePath}, a fixed VHDX behind storvsp on the VMBus loopback, the Java storvsc
 *     keeping 32 requests in flight (each with its own GPA-direct buffer);</li>
 * <li>baseline: one thread doing FileChannel positional reads/writes of the same sizes at the same
 *     offsets of a raw file holding the same payload (both files in the page cache: this measures the
 *     software path, not the device).</li>
 * </ul>
 * Repetitions alternate ours and baseline; lines report medians after warm-up. Then the guest-driven
 * figures: the {@code disk-bench} guest on the chosen backend against a fresh dynamic VHDX, its IOPS and
 * MiB/s against the same guest loop with the I/O removed ({@link GuestDiskBench}, one run).
 */
final class StorageBench implements Benchmark {
    private static final long DISK_BYTES = 256L << 20;
    private static final int DEPTH = 32;
    private static final int SMALL = 4096;
    private static final int BIG = 1 << 20;
    private static final int RANDOM_READS = 50_000;
    private static final int WARM_UP = 1;
    private static final int REPETITIONS = 5;

    @Override
    public String name() {
        return "storage";
    }

    @Override
    public void run(PrintStream out, BackendChoice backend) throws Exception {
        Path dir = Files.createTempDirectory("parvis-bench-storage");
        try {
            Path vhdx = dir.resolve("bench.vhdx");
            Path raw = dir.resolve("bench.raw");
            prepare(vhdx, raw);
            long[] random = randomOffsets();
            long[] sequential = new long[(int) (DISK_BYTES / BIG)];
            for (int i = 0; i < sequential.length; i++) {
                sequential[i] = (long) i * BIG;
            }
            compare(out, "4 KiB random reads, QD32", vhdx, raw, random, SMALL, true);
            compare(out, "1 MiB sequential reads, QD32", vhdx, raw, sequential, BIG, true);
            compare(out, "1 MiB sequential writes, QD32", vhdx, raw, sequential, BIG, false);
            for (GuestDiskBench.Figure f : GuestDiskBench.run(dir, backend)) {
                out.printf("storage: guest disk-bench %s: %d IOPS (%.2f MiB/s), same loop without I/O %d IOPS (%.2f MiB/s) ratio=%.4f%n",
                        f.workload(), f.iops(), f.mibps(), f.noIoIops(), f.noIoMibps(), f.ratio());
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A fixed VHDX and a raw file with the same pseudo-random payload. */
    private static void prepare(Path vhdx, Path raw) throws Exception {
        VhdxCreator.create(vhdx, CreateRequest.fixed(DISK_BYTES));
        SplittableRandom r = new SplittableRandom(10);
        ByteBuffer chunk = ByteBuffer.allocateDirect(BIG);
        try (VhdxDisk disk = VhdxDisk.open(vhdx, OpenOptions.readWrite());
             FileChannel file = FileChannel.open(raw, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long at = 0; at < DISK_BYTES; at += BIG) {
                chunk.clear();
                while (chunk.hasRemaining()) {
                    chunk.putLong(r.nextLong());
                }
                disk.write(at, chunk.flip());
                file.write(chunk.rewind(), at);
            }
            disk.flush();
        }
    }

    private static long[] randomOffsets() {
        SplittableRandom r = new SplittableRandom(42);
        long[] offsets = new long[RANDOM_READS];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = r.nextLong(DISK_BYTES / SMALL) * SMALL;
        }
        return offsets;
    }

    private static void compare(PrintStream out, String what, Path vhdx, Path raw, long[] offsets, int bytes,
                                boolean read) throws Exception {
        Samples ours = new Samples();
        Samples baseline = new Samples();
        try (StoragePath path = new StoragePath(vhdx, DEPTH, bytes)) {
            for (int i = 0; i < WARM_UP + REPETITIONS; i++) {
                double p = path.run(offsets, bytes, read);
                double b = fileChannel(raw, offsets, bytes, read);
                if (i >= WARM_UP) {
                    ours.add(offsets.length / p);
                    baseline.add(offsets.length / b);
                }
            }
        }
        double mib = bytes / (double) (1 << 20);
        out.printf("storage: %s: storvsp %.0f ops/s (%.1f MiB/s), FileChannel %.0f ops/s (%.1f MiB/s) ratio=%.2f%n",
                what, ours.median(), ours.median() * mib, baseline.median(), baseline.median() * mib,
                ours.median() / baseline.median());
    }

    /** Seconds for one thread to read or write {@code bytes} at each offset of the raw file. */
    private static double fileChannel(Path raw, long[] offsets, int bytes, boolean read) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocateDirect(bytes);
        try (FileChannel file = FileChannel.open(raw, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long t0 = System.nanoTime();
            for (long offset : offsets) {
                buffer.clear();
                while (buffer.hasRemaining()) {
                    int n = read ? file.read(buffer, offset + buffer.position()) : file.write(buffer, offset + buffer.position());
                    if (n < 0) {
                        throw new IllegalStateException("end of file at " + offset);
                    }
                }
            }
            return (System.nanoTime() - t0) / 1e9;
        }
    }
}
