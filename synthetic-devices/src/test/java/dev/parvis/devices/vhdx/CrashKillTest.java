package dev.parvis.devices.vhdx;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A process writing in a loop ({@link CrashWriter}: write, flush, acknowledge) is killed with SIGKILL at
 * a random instant, 22 times over the same file. After each kill the file reopens (the log replays, in
 * memory read-only and in place read-write), {@code qemu-img check} passes, and every acknowledged write
 * reads back; the one write per thread in flight at the kill may show its old or its new sectors.
 */
class CrashKillTest {
    private static final long DISK = 1L << 30;
    private static final int THREADS = 3;
    private static final int ROUNDS = 22;
    private static final int SECTOR = CrashWriter.SECTOR;

    @TempDir
    Path dir;

    /** The expected content of every sector ever written (others are zero). */
    private final Map<Long, byte[]> sectors = new HashMap<>();

    @Test
    void everyAcknowledgedWriteSurvivesSigkillAtRandomInstants() throws Exception {
        Path image = dir.resolve("crash.vhdx");
        VhdxCreator.create(image, CreateRequest.dynamic(DISK).withBlockSize(1 << 20));
        Random random = new Random(20240101);
        long acknowledged = 0;
        int replays = 0;
        // Each round's writer JVM is started while the previous round's file is checked; it opens the
        // disk only when its round begins.
        Process next = startWriter(image, 0);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                Process writer = next;
                next = null;
                long[] lastAck = runAndKill(writer, 100 + random.nextInt(500));
                if (round + 1 < ROUNDS) {
                    next = startWriter(image, round + 1);
                }
                acknowledged += Arrays.stream(lastAck).map(n -> n + 1).sum();
                try (VhdxDisk disk = VhdxDisk.open(image, OpenOptions.readOnly())) {
                    replays += disk.inspect().logEntriesReplayed() > 0 ? 1 : 0;
                    verify(disk, round, lastAck, false);
                }
                try (VhdxDisk disk = VhdxDisk.open(image, OpenOptions.readWrite())) {
                    verify(disk, round, lastAck, true);
                }
                String check = QemuImg.check(image);
                assertTrue(check.contains("No errors were found on the image."), "round " + round + ":\n" + check);
            }
        } finally {
            if (next != null) {
                next.destroyForcibly();
            }
        }
        System.out.printf("SIGKILL crash test: %d kills, %d acknowledged writes verified, %d reopens replayed a log%n",
                ROUNDS, acknowledged, replays);
        assertTrue(acknowledged >= ROUNDS, "the writer made progress: " + acknowledged + " acknowledged writes");
        assertTrue(replays > 0, "at least one kill left a log to replay (rounds with a replay: " + replays + ")");
    }

    /**
     * The harness itself: acknowledgements a process wrote before its SIGKILL are all read, even when
     * the reader only starts reading after the process is dead (the extreme of a reader lagging under
     * load). Reading fewer would make acknowledged writes look unacknowledged and fail the crash test
     * for data that is in fact on disk.
     */
    @Test
    void acknowledgementsWrittenBeforeTheKillAreAllRead() throws Exception {
        int lines = 2000;
        Path marker = dir.resolve("printed");
        Process process = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt " + lines + " ]; do echo \"ACK 0 $i\"; "
                + "i=$((i+1)); done; : > '" + marker + "'; exec sleep 600").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        AtomicReference<IOException> readFailure = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                return;
            }
            drain(process.getInputStream(), output, new CountDownLatch(1), readFailure);
        });
        try {
            for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); !Files.exists(marker); ) {
                assertTrue(System.nanoTime() < deadline && process.isAlive(), "the printer finished printing");
                Thread.sleep(10);
            }
        } finally {
            killAndDrain(process, reader);
        }
        assertNull(readFailure.get(), "the output was readable after the kill");
        String text = output.toString(StandardCharsets.US_ASCII);
        assertEquals(lines, text.lines().filter(l -> l.startsWith("ACK ")).count(), "every line printed before the kill");
        assertTrue(text.endsWith("ACK 0 " + (lines - 1) + "\n"), "the last line printed was read");
    }

    /** A writer for {@code round}: its JVM starts now, it opens the disk when {@link #runAndKill} says so. */
    private static Process startWriter(Path image, int round) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CrashWriter.class.getName(), image.toString(), Integer.toString(round), Integer.toString(THREADS))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** Lets the writer begin, kills it after {@code millis} of writing, returns each thread's last acknowledged write. */
    private long[] runAndKill(Process process, long millis) throws Exception {
        process.getOutputStream().write('\n');
        process.getOutputStream().flush();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        CountDownLatch ready = new CountDownLatch(1);
        AtomicReference<IOException> readFailure = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().start(() -> drain(process.getInputStream(), output, ready, readFailure));
        try {
            assertTrue(ready.await(60, TimeUnit.SECONDS), "the writer did not start");
            Thread.sleep(millis);
            assertTrue(process.isAlive(), "the writer was still writing when killed (exit " + exitOf(process) + ")");
        } finally {
            killAndDrain(process, reader);
        }
        assertEquals(137, process.exitValue(), "killed by SIGKILL");
        assertNull(readFailure.get(), "the writer's acknowledgements were read to the end");
        long[] last = new long[THREADS];
        Arrays.fill(last, -1);
        String text = output.toString(StandardCharsets.US_ASCII);
        List<String> lines = List.of(text.substring(0, text.lastIndexOf('\n') + 1).split("\n"));
        for (String line : lines) {
            if (line.startsWith("ACK ")) {
                String[] parts = line.split(" ");
                int thread = Integer.parseInt(parts[1]);
                last[thread] = Math.max(last[thread], Long.parseLong(parts[2]));
            }
        }
        return last;
    }

    /**
     * SIGKILLs the process, then lets {@code reader} read its output to the end. The kill goes through
     * the process handle: {@link Process#destroyForcibly()} also closes our end of the output pipe, so
     * acknowledgements already in the pipe but not yet read (the reader lags under load) would be lost,
     * and writes the process did acknowledge would look unacknowledged, their sectors stale.
     */
    static void killAndDrain(Process process, Thread reader) throws InterruptedException {
        process.toHandle().destroyForcibly();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the process died after SIGKILL");
        reader.join(30_000);
        assertFalse(reader.isAlive(), "the process's output was read to its end");
    }

    private static String exitOf(Process process) {
        return process.isAlive() ? "none" : Integer.toString(process.exitValue());
    }

    private static void drain(InputStream in, ByteArrayOutputStream out, CountDownLatch ready,
                              AtomicReference<IOException> failure) {
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) > 0; ) {
                synchronized (out) {
                    out.write(buffer, 0, n);
                    if (out.toString(StandardCharsets.US_ASCII).startsWith("READY\n")) {
                        ready.countDown();
                    }
                }
            }
        } catch (IOException e) {
            failure.set(e);
        }
    }

    /**
     * Every acknowledged write of this round reads back; the write after each thread's last
     * acknowledgement may show old or new sectors, and whichever it shows becomes the expectation
     * (once {@code settle}).
     */
    private void verify(VhdxDisk disk, int round, long[] lastAck, boolean settle) throws IOException {
        Map<Long, byte[]> expected = new HashMap<>(sectors);
        Map<Long, byte[]> inFlight = new HashMap<>();
        for (int t = 0; t < THREADS; t++) {
            for (long n = 0; n <= lastAck[t]; n++) {
                apply(expected, CrashWriter.Write.of(DISK, THREADS, round, t, n));
            }
            apply(inFlight, CrashWriter.Write.of(DISK, THREADS, round, t, lastAck[t] + 1));
        }
        for (Map.Entry<Long, byte[]> e : inFlight.entrySet()) {
            byte[] actual = Bytes.read(disk, e.getKey() * SECTOR, SECTOR);
            byte[] old = expected.getOrDefault(e.getKey(), new byte[SECTOR]);
            if (!Arrays.equals(actual, old) && !Arrays.equals(actual, e.getValue())) {
                fail("round " + round + ": in-flight sector " + e.getKey() + " is neither its old nor its new content");
            }
            expected.put(e.getKey(), actual);
        }
        for (Map.Entry<Long, byte[]> e : expected.entrySet()) {
            if (!Arrays.equals(e.getValue(), Bytes.read(disk, e.getKey() * SECTOR, SECTOR))) {
                fail("round " + round + ": sector " + e.getKey() + " lost an acknowledged write");
            }
        }
        if (settle) {
            sectors.clear();
            sectors.putAll(expected);
        }
    }

    private static void apply(Map<Long, byte[]> map, CrashWriter.Write w) {
        for (int s = 0; s < w.data().length / SECTOR; s++) {
            map.put(w.offset() / SECTOR + s, Arrays.copyOfRange(w.data(), s * SECTOR, (s + 1) * SECTOR));
        }
    }
}
