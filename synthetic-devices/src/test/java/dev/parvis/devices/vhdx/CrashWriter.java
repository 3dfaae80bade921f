package dev.parvis.devices.vhdx;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

/**
 * The process {@link CrashKillTest} kills: at a line on standard input, opens a disk read-write and,
 * on several threads, writes then flushes then prints {@code ACK thread n}, forever. Each thread owns every {@code threads}-th
 * 64 KiB slot, so threads share blocks (and allocation) but never sectors; what write {@code n} of a
 * thread does is a pure function of (round, thread, n), so the test can recompute it.
 */
final class CrashWriter {
    static final int SLOT = 64 * 1024;
    static final int SECTOR = 512;

    /** Write {@code n} of {@code thread} in {@code round}: where and what. */
    record Write(long offset, byte[] data) {
        static Write of(long diskSize, int threads, long round, int thread, long n) {
            Random random = new Random(round * 1_000_003L + thread * 10_007L + n);
            long slots = diskSize / SLOT / threads;
            long slot = (random.nextLong(slots)) * threads + thread;
            int sectors = 1 + random.nextInt(SLOT / SECTOR);
            int first = random.nextInt(SLOT / SECTOR - sectors + 1);
            byte[] data = new byte[sectors * SECTOR];
            random.nextBytes(data);
            return new Write(slot * SLOT + (long) first * SECTOR, data);
        }
    }

    private CrashWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[0]);
        long round = Long.parseLong(args[1]);
        int threads = Integer.parseInt(args[2]);
        PrintStream out = new PrintStream(System.out, false);
        // Started ahead of its round (while the last round's file is checked): the disk is opened only
        // when a line arrives on standard input; at end of input the writer exits untouched.
        if (new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII)).readLine() == null) {
            return;
        }
        VhdxDisk disk = VhdxDisk.open(path, OpenOptions.readWrite());
        synchronized (out) {
            out.println("READY");
            out.flush();
        }
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread.ofPlatform().start(() -> {
                try {
                    for (long n = 0; ; n++) {
                        Write w = Write.of(disk.size(), threads, round, thread, n);
                        disk.write(w.offset(), ByteBuffer.wrap(w.data()));
                        disk.flush();
                        synchronized (out) {
                            out.println("ACK " + thread + " " + n);
                            out.flush();
                        }
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                    System.exit(3);
                }
            });
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
