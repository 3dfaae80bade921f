package dev.parvis.e2e.storage;

import dev.parvis.e2e.OnEachBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.devices.vhdx.CreateRequest;
import dev.parvis.devices.vhdx.VhdxCreator;
import dev.parvis.e2e.GuestHarness;
import dev.parvis.root.loader.LoadedChild;
import dev.parvis.root.storage.DiskAttachment;
import dev.parvis.root.storage.VmStorage;
import dev.parvis.vmbus.device.EchoDevice;
import dev.parvis.vmbus.host.VmbusHost;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gcc-built storage-hostile guest against storvsp, beside a well-behaved VM (vmbus-steady, a
 * checked echo stream) on the same hypervisor: LBAs past the end, transfer lengths that differ from
 * the buffer, GPA-direct ranges that lie about their pages, page numbers beyond RAM, a 32-bit page
 * count wrap, unknown operations and CDBs, a LUN that is not there and a flood past both rings. Every
 * abuse gets its SCSI / SRB answer (the guest judges each and prints it), no guard page around its
 * buffers changes, after each one the device still writes and reads its scratch block, and the
 * neighbour's echoes keep advancing, intact, in every half second of the attack.
 */
@Timeout(600)
@OnEachBackend
class StorageHostileGuestTest {
    private static final int SCENARIOS = 14;
    private static final int RUNS = 2;
    private static final Duration WINDOW = Duration.ofMillis(500);
    private static final Duration RUN_LIMIT = Duration.ofSeconds(180);

    @TempDir
    Path dir;

    /** vmbus-steady's counters (its reply to command 1). */
    private record Steady(long echoes, long mismatches, long failures, long refTime) {
        static Steady read(ByteBuffer b) {
            return new Steady(b.getLong(), b.getLong(), b.getLong(), b.getLong());
        }
    }

    @Test
    void everyAbuseGetsItsAnswerTheDeviceStaysUsableAndTheNeighbourKeepsEchoing() throws Exception {
        Path image = dir.resolve("hostile.vhdx");
        VhdxCreator.create(image, CreateRequest.dynamic(8L << 20).withBlockSize(1L << 20));
        try (GuestHarness h = new GuestHarness(); VmbusHost vmbus = new VmbusHost(h.hv)) {
            LoadedChild steady = h.boot("vmbus-steady", GuestHarness.GUEST_RAM,
                    id -> vmbus.attach(id, 1, List.of(new EchoDevice())));
            h.awaitOutput(steady, "vmbus-steady: echo channel relid 1: status 0x0", GuestHarness.TIMEOUT);
            int windows = 0;
            for (int run = 0; run < RUNS; run++) {
                try (VmStorage storage = VmStorage.open(List.of(new DiskAttachment(0, 0, image, false)))) {
                    LoadedChild hostile = h.boot("storage-hostile", GuestHarness.GUEST_RAM,
                            id -> vmbus.attach(id, 1, storage.devices()));
                    windows += watchNeighbourUntil(h, steady, hostile);
                    judge(h.output(hostile));
                    h.awaitPowerOff(hostile);
                    vmbus.detach(hostile.partitionId());
                    h.destroy(hostile);
                }
            }
            h.send(steady, GuestHarness.u32s(0));
            Steady last = Steady.read(GuestHarness.le(h.awaitMessage(steady)));
            h.awaitPowerOff(steady);
            assertEquals(0, last.mismatches() + last.failures(), "the neighbour's echoes over the whole test: " + last);
            System.out.printf("storage-hostile x%d beside vmbus-steady: %d half-second windows watched, %d echoes, all intact%n",
                    RUNS, windows, last.echoes());
        }
        QemuTools.check(image);
    }

    /** Half-second windows until the hostile guest prints its verdict: the neighbour advances in each. */
    private static int watchNeighbourUntil(GuestHarness h, LoadedChild steady, LoadedChild hostile) throws Exception {
        long deadline = System.nanoTime() + RUN_LIMIT.toNanos();
        Steady previous = steadyNow(h, steady);
        int windows = 0;
        while (!h.output(hostile).contains("verdict ")) {
            assertTrue(System.nanoTime() < deadline, () -> "storage-hostile gave no verdict within " + RUN_LIMIT + "\n" + h.describe(hostile));
            Thread.sleep(WINDOW.toMillis());
            Steady now = steadyNow(h, steady);
            assertTrue(now.echoes() > previous.echoes(), "the neighbour echoed in window " + windows + ": " + previous + " -> " + now);
            assertEquals(0, now.mismatches() + now.failures(), "the neighbour's echoes stay intact: " + now);
            previous = now;
            windows++;
        }
        return windows;
    }

    private static Steady steadyNow(GuestHarness h, LoadedChild steady) throws InterruptedException {
        h.send(steady, GuestHarness.u32s(1));
        return Steady.read(GuestHarness.le(h.awaitMessage(steady)));
    }

    private static void judge(String output) {
        System.out.print(output);
        Matcher m = Pattern.compile("storage-hostile: (\\d+) scenarios, (\\d+) wrong, (\\d+) unusable, .*verdict (\\w+)").matcher(output);
        assertTrue(m.find(), output);
        assertEquals(SCENARIOS, Integer.parseInt(m.group(1)), output);
        assertEquals("0 wrong, 0 unusable, verdict PASS", m.group(2) + " wrong, " + m.group(3) + " unusable, verdict " + m.group(4), output);
        assertEquals(SCENARIOS, output.split("; device usable: yes", -1).length - 1, output);
    }
}
