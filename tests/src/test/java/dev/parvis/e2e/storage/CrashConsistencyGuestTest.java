package dev.parvis.e2e.storage;

import dev.parvis.e2e.OnEachBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parvis.devices.vhdx.CreateRequest;
import dev.parvis.devices.vhdx.OpenOptions;
import dev.parvis.devices.vhdx.VhdxCreator;
import dev.parvis.devices.vhdx.VhdxDisk;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash consistency end to end: the host process running the disk-writeloop guest on a dynamic VHDX is
 * killed with SIGKILL at random instants (some during boot, most while writes are in flight; a fresh
 * disk every five kills, so kills land while blocks are being allocated). After
 * every kill the file reopens in Parvis (its log replayed), {@code qemu-img check} passes, Parvis and
 * qemu read the same bytes, and every write whose completion the guest reported holds exactly what the
 * guest wrote. Writes in flight at the kill (never reported, so at most the loop's depth past the last
 * reported one) may hold old or new bytes and are not judged; every other chunk keeps its last state.
 */
@Timeout(1800)
@OnEachBackend
class CrashConsistencyGuestTest {
    private static final int KILLS = Integer.getInteger("parvis.storage.kills", 20);
    private static final long SIZE = 32L << 20;
    private static final int FRESH_DISK_EVERY = 5;
    private static final Pattern SEED = Pattern.compile(
            "disk-writeloop: seed 0x([0-9a-f]+) chunk (\\d+) blocks of (\\d+) bytes depth (\\d+) chunks (\\d+) start (\\d+)");
    private static final Pattern ACK = Pattern.compile("disk-writeloop: ack (\\d+) lba (\\d+) blocks (\\d+)");

    @TempDir
    Path dir;

    /** What the loop printed before it died. */
    private record Loop(long seed, int chunkBytes, int depth, long chunks, long start) {
        long chunkOf(long seq) {
            return (start + seq) % chunks;
        }
    }

    /** What each chunk must hold: zeros, the pattern of a seed, or unknown (a write in flight at a kill). */
    private static final class Expected {
        final long[] seed;
        final BitSet written = new BitSet();
        final BitSet unknown = new BitSet();

        Expected(int chunks) {
            seed = new long[chunks];
        }

        /** Reported writes take their seed; unreported ones up to depth past the last report become unknown. */
        void apply(Loop loop, BitSet acked) {
            long last = acked.length() - 1; // -1: nothing reported
            for (long seq = 0; seq <= last + loop.depth(); seq++) {
                int chunk = (int) loop.chunkOf(seq);
                if (acked.get((int) seq)) {
                    seed[chunk] = loop.seed();
                    written.set(chunk);
                    unknown.clear(chunk);
                } else {
                    unknown.set(chunk);
                }
            }
        }
    }

    @Test
    void everyReportedWriteSurvivesSigkillAndTheFileStaysConsistent() throws Exception {
        Path image = dir.resolve("crash.vhdx");
        long seed = Long.getLong("parvis.storage.crash.seed", System.nanoTime());
        System.out.printf("crash consistency: kill times from seed %d (-Dparvis.storage.crash.seed to repeat)%n", seed);
        Random random = new Random(seed);
        Expected expected = null;
        int killsDuringWrites = 0;
        long reported = 0;
        for (int kill = 0; kill < KILLS; kill++) {
            if (kill % FRESH_DISK_EVERY == 0) { // a fresh disk, so kills keep landing while blocks are allocated
                Files.deleteIfExists(image);
                VhdxCreator.create(image, CreateRequest.dynamic(SIZE).withBlockSize(1L << 20));
                expected = null;
            }
            List<String> lines = new ArrayList<>();
            long atMs = runAndKill(image, random, kill, lines);
            Loop loop = parseLoop(lines);
            BitSet acked = acked(lines);
            if (loop != null) {
                if (expected == null) {
                    expected = new Expected((int) loop.chunks());
                }
                expected.apply(loop, acked);
            }
            killsDuringWrites += acked.cardinality() > 0 ? 1 : 0;
            reported += acked.cardinality();
            int checked = checkFile(image, expected, loop == null ? 0 : loop.chunkBytes());
            System.out.printf("crash %d: SIGKILL %d ms after start, %d writes reported, %d chunks checked, %d unknown%n",
                    kill + 1, atMs, acked.cardinality(), checked, expected == null ? 0 : expected.unknown.cardinality());
        }
        assertTrue(killsDuringWrites >= KILLS / 2, killsDuringWrites + " of " + KILLS + " kills landed while writes were being reported");
        System.out.printf("crash consistency: %d kills, %d during writes, %d reported writes all read back%n", KILLS, killsDuringWrites, reported);
    }

    /** Starts the guest; every 5th run dies at a random instant from the start, the others a random time after writes began. */
    private static long runAndKill(Path image, Random random, int kill, List<String> lines) throws Exception {
        long t0 = System.nanoTime();
        Process p = DiskGuest.start("disk-writeloop", image);
        CountDownLatch writing = new CountDownLatch(1);
        Thread reader = Thread.ofPlatform().daemon(true).start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                    if (ACK.matcher(line).find()) {
                        writing.countDown();
                    }
                }
            } catch (java.io.IOException e) {
                // the pipe closes when the process dies
            }
        });
        if (kill % 5 == 0) {
            Thread.sleep(random.nextInt(3000));
        } else {
            assertTrue(writing.await(120, TimeUnit.SECONDS) || !p.isAlive(), "disk-writeloop began writing");
            Thread.sleep(random.nextInt(1500));
        }
        long atMs = (System.nanoTime() - t0) / 1_000_000;
        if (!p.isAlive()) {
            reader.join();
            fail("disk-writeloop ended before it was killed (exit " + p.exitValue() + "):\n" + String.join("\n", lines));
        }
        // SIGKILL through the handle: Process.destroyForcibly() also closes our end of the pipe, and
        // acknowledgements already in it but not yet read would be lost (a weaker check, silently).
        p.toHandle().destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "killed process ended");
        reader.join(30_000);
        return atMs;
    }

    private static Loop parseLoop(List<String> lines) {
        for (String line : lines) {
            Matcher m = SEED.matcher(line);
            if (m.find()) {
                return new Loop(Long.parseUnsignedLong(m.group(1), 16), Integer.parseInt(m.group(2)) * Integer.parseInt(m.group(3)),
                        Integer.parseInt(m.group(4)), Long.parseLong(m.group(5)), Long.parseLong(m.group(6)));
            }
        }
        return null;
    }

    private static BitSet acked(List<String> lines) {
        BitSet acked = new BitSet();
        for (String line : lines) {
            Matcher m = ACK.matcher(line);
            if (m.find()) {
                acked.set(Integer.parseInt(m.group(1)));
            }
        }
        return acked;
    }

    /** Reopen in Parvis (log replay), qemu-img check, same bytes both ways, every known chunk as expected. */
    private static int checkFile(Path image, Expected expected, int chunkBytes) throws Exception {
        byte[] parvis = new byte[(int) SIZE];
        try (VhdxDisk disk = VhdxDisk.open(image, OpenOptions.readWrite())) {
            disk.read(0, ByteBuffer.wrap(parvis));
        }
        QemuTools.check(image);
        byte[] qemu = QemuTools.raw(image);
        assertEquals(-1, Arrays.mismatch(parvis, qemu), "Parvis and qemu read the same bytes after the crash");
        if (expected == null) {
            assertEquals(-1, Arrays.mismatch(qemu, new byte[qemu.length]), "nothing written yet: all zeros");
            return 0;
        }
        int checked = 0;
        for (int chunk = 0; chunk < expected.seed.length; chunk++) {
            if (expected.unknown.get(chunk)) {
                continue;
            }
            int from = chunk * chunkBytes;
            long bad = expected.written.get(chunk)
                    ? DiskPattern.firstDifference(qemu, expected.seed[chunk], from, chunkBytes)
                    : Arrays.mismatch(Arrays.copyOfRange(qemu, from, from + chunkBytes), new byte[chunkBytes]);
            if (bad != -1) {
                boolean zeros = Arrays.mismatch(Arrays.copyOfRange(qemu, from, from + chunkBytes), new byte[chunkBytes]) == -1;
                fail("chunk " + chunk + " at byte " + from + (expected.written.get(chunk)
                        ? ": a write the guest saw completed (seed 0x" + Long.toHexString(expected.seed[chunk]) + ") reads back "
                                + (zeros ? "as zeros" : "wrong from byte " + bad)
                        : ": never written, reads back non-zero at byte " + bad));
            }
            checked++;
        }
        return checked;
    }
}
