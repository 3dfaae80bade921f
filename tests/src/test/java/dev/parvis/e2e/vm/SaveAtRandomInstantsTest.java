package dev.parvis.e2e.vm;

import static dev.parvis.e2e.vm.VmFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.e2e.OnEachBackend;
import dev.parvis.root.config.DeviceConfig;
import dev.parvis.root.config.VmConfig;
import dev.parvis.root.vm.VmManagementService;
import dev.parvis.root.vm.VmState;
import dev.parvis.vmbus.server.VmbusServerState;
import dev.parvis.vmbus.server.VmbusStateCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Save-VM and Start-VM (restore) at {@value #SAVES} random instants of a busy gcc-built guest
 * ({@code vmbus-soak}: GPADLs of two messages, opens, checked echoes with a sequence number on
 * every packet, closes, teardowns, and a halted VP whenever it waits). The guest's own checks see
 * no lost, repeated or torn echo, no failed VMBus step and no spurious wake-up from HLT, and it
 * made progress across the run. Each saved.state is read back to show which phases the saves hit
 * (GPADL being assembled or granted, channel opening, open or closing, answers undelivered, VP
 * halted).
 */
@OnEachBackend
@Timeout(1200)
class SaveAtRandomInstantsTest {
    /** Issue 9's floor: at least 200 save points on each backend. */
    private static final int SAVES = 200;
    private static final int REPORT_EVERY = 25;
    private static final int VMBUS_SECTION = 5;
    private static final int VP_SECTION = 2;
    private static final int INTERNAL_ACTIVITY_STATE = 4;

    @TempDir
    Path dataDir;
    private final StringBuffer output = new StringBuffer();

    /** vmbus-soak's reply. */
    private record Soak(int command, long cycles, long echoes, long mismatches, long failures, long spurious, long idles) {
        static Soak read(byte[] m) {
            ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
            int command = b.getInt();
            b.getInt();
            return new Soak(command, b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong());
        }
    }

    /** Ends the guest's idle phase, if it is in one (no reply). */
    private static void tick(VmFixture f, UUID id) {
        f.service.postGuestMessage(id, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(2).array());
    }

    @Test
    void twoHundredSavesAtRandomInstantsAreInvisibleToTheGuest() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Map<String, Integer> phases = new TreeMap<>();
        try (VmFixture f = new VmFixture(dataDir, 96L << 20)) {
            f.hv.setDebugListener((pid, bytes) -> output.append(new String(bytes, java.nio.charset.StandardCharsets.UTF_8)));
            VmManagementService s = f.service;
            VmConfig config = VmConfig.create("soak", "vmbus-soak").withDevices(List.of(new DeviceConfig.EchoDevice()));
            UUID id = s.create(config).id();
            assertInstanceOf(VmState.Running.class, await(s.start(id)));
            // A control window without saves: the guest runs, and its counters are clean.
            Soak warm = command(f, id, 0xF0);
            for (int i = 0; i < 40; i++) {
                Thread.sleep(50);
                tick(f, id);
            }
            Soak first = command(f, id, 0x100);
            System.out.printf("without saves: %s -> %s%n", warm, first);
            assertTrue(first.echoes() > warm.echoes(), "the guest echoes without saves: " + warm + " -> " + first);
            assertClean(first, "without saves");
            Soak last = first;
            long start = System.nanoTime();
            for (int i = 1; i <= SAVES; i++) {
                Thread.sleep(random.nextInt(12));
                assertInstanceOf(VmState.Saved.class, await(s.save(id)), "save " + i);
                count(phases, f.store.savedStatePath(id));
                assertInstanceOf(VmState.Running.class, await(s.start(id)), "restore " + i);
                if (random.nextBoolean()) {
                    tick(f, id);
                }
                if (i % REPORT_EVERY == 0) {
                    Soak now = command(f, id, 0x100 + i);
                    assertClean(now, "after " + i + " saves (seed " + seed + ")");
                    assertTrue(now.echoes() > last.echoes(), "the guest echoed between saves %d and %d: %s -> %s"
                            .formatted(i - REPORT_EVERY, i, last, now));
                    last = now;
                }
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            Soak end = command(f, id, 0);
            System.out.printf("save at random instants: %d saves and restores in %d ms (seed %d); guest %s; saved phases %s%n",
                    SAVES, millis, seed, end, phases);
            assertClean(end, "at the end (seed " + seed + ")");
            assertTrue(end.cycles() > first.cycles() && end.echoes() > first.echoes(), "the guest worked across the run");
            assertTrue(phases.getOrDefault("vp halted", 0) > 0, "some saves found the VP halted: " + phases);
            assertTrue(end.idles() > first.idles(), "the guest idled (halted, nothing pending) during the run");
        }
    }

    private static void assertClean(Soak soak, String when) {
        assertEquals(0, soak.mismatches(), "echoes lost, repeated or torn " + when + ": " + soak);
        assertEquals(0, soak.failures(), "failed VMBus steps " + when + ": " + soak);
        assertEquals(0, soak.spurious(), "spurious wake-ups from HLT " + when + ": " + soak);
    }

    /** Sends a command to vmbus-soak and waits for the reply that names it. */
    private Soak command(VmFixture f, UUID id, int command) throws Exception {
        f.service.postGuestMessage(id, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(command).array());
        long deadline = System.nanoTime() + VmFixture.TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<byte[]> m = f.service.lastGuestMessage(id);
            if (m.isPresent() && m.get().length >= 56) {
                Soak soak = Soak.read(m.get());
                if (soak.command() == command) {
                    return soak;
                }
            }
            Thread.sleep(5);
        }
        String state = "";
        try {
            await(f.service.save(id));
            Map<String, Integer> phases = new TreeMap<>();
            count(phases, f.store.savedStatePath(id));
            state = "; saved now: " + phases + "\n" + describe(f.store.savedStatePath(id));
        } catch (Exception e) {
            state = "; saving it failed: " + e;
        }
        String tail = output.length() > 2000 ? output.substring(output.length() - 2000) : output.toString();
        throw new TimeoutException("vmbus-soak did not answer command 0x" + Integer.toHexString(command) + state
                + "\nguest output:\n" + tail);
    }

    /** Reads the saved.state sections (16-byte header, then {u32 type, u32 0, u64 length} + body each). */
    private static void count(Map<String, Integer> phases, Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        b.position(16);
        int pageCount = Integer.MAX_VALUE;
        while (b.remaining() >= 16) {
            int type = b.getInt();
            b.getInt();
            int length = (int) b.getLong();
            int bodyStart = b.position();
            if (type == VMBUS_SECTION) {
                byte[] body = new byte[length];
                b.get(body);
                phasesOf(VmbusStateCodec.decode(body, pageCount), phases);
            } else if (type == VP_SECTION) {
                b.getInt();
                int registers = b.getInt();
                for (int r = 0; r < registers; r++) {
                    int name = b.getInt();
                    b.getInt();
                    long low = b.getLong();
                    b.getLong();
                    if (name == INTERNAL_ACTIVITY_STATE && (low & 2) != 0) {
                        phases.merge("vp halted", 1, Integer::sum);
                    }
                }
            }
            b.position(bodyStart + length);
        }
    }

    /** The saved VMBus state and, for each created GPADL, its two rings' control words (for a stuck run). */
    private static String describe(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        b.position(16);
        StringBuilder out = new StringBuilder();
        Map<Long, ByteBuffer> pages = new java.util.HashMap<>();
        VmbusServerState vmbus = null;
        while (b.remaining() >= 16) {
            int type = b.getInt();
            b.getInt();
            int length = (int) b.getLong();
            int bodyStart = b.position();
            if (type == VMBUS_SECTION) {
                byte[] body = new byte[length];
                b.get(body);
                vmbus = VmbusStateCodec.decode(body, Integer.MAX_VALUE);
            } else if (type == 3) {
                int count = b.getInt();
                for (int i = 0; i < count; i++) {
                    long gpn = b.getLong();
                    b.getInt();
                    int flags = b.getInt();
                    if ((flags & 1) == 0) {
                        pages.put(gpn, b.slice(b.position(), 4096).order(ByteOrder.LITTLE_ENDIAN));
                        b.position(b.position() + 4096);
                    }
                }
            } else if (type == VP_SECTION) {
                b.getInt();
                int registers = b.getInt();
                for (int r = 0; r < registers; r++) {
                    int name = b.getInt();
                    b.getInt();
                    long low = b.getLong();
                    b.getLong();
                    if (name == 0x20010 /* RIP */ || name == INTERNAL_ACTIVITY_STATE || name == 0x10002) {
                        out.append("register 0x%x = 0x%x%n".formatted(name, low));
                    }
                }
            }
            b.position(bodyStart + length);
        }
        out.append(vmbus).append('\n');
        if (vmbus != null) {
            for (VmbusServerState.OfferEntry o : vmbus.offers()) {
                if (o.channel() == null) {
                    continue;
                }
                VmbusServerState.Open open = o.channel().open();
                for (VmbusServerState.GpadlEntry g : vmbus.gpadls()) {
                    if (g.handle() == open.ringGpadl()) {
                        out.append("in ring ").append(ring(pages.get(g.pfns()[0]))).append(", out ring ")
                                .append(ring(pages.get(g.pfns()[open.downstreamPageOffset()]))).append('\n');
                    }
                }
            }
        }
        return out.toString();
    }

    private static String ring(ByteBuffer control) {
        return control == null ? "(zero page)" : "write %d read %d mask %d pending %d features %d".formatted(control.getInt(0),
                control.getInt(4), control.getInt(8), control.getInt(12), control.getInt(64));
    }

    private static void phasesOf(VmbusServerState v, Map<String, Integer> phases) {
        for (VmbusServerState.GpadlEntry g : v.gpadls()) {
            String phase = switch (g.phase()) {
                case VmbusServerState.GpadlEntry.ASSEMBLING -> "gpadl assembling";
                case VmbusServerState.GpadlEntry.GRANTING -> "gpadl granting";
                default -> g.teardownRequested() ? "gpadl teardown waiting" : "gpadl created";
            };
            phases.merge(phase, 1, Integer::sum);
        }
        for (VmbusServerState.OfferEntry o : v.offers()) {
            if (o.channel() != null) {
                String phase = switch (o.channel().phase()) {
                    case VmbusServerState.ChannelEntry.OPENING -> "channel opening";
                    case VmbusServerState.ChannelEntry.OPEN -> "channel open";
                    default -> "channel closing";
                };
                phases.merge(phase, 1, Integer::sum);
            }
        }
        if (!v.pending().isEmpty()) {
            phases.merge("answers undelivered", 1, Integer::sum);
        }
        if (!v.deferred().isEmpty()) {
            phases.merge("guest messages held back", 1, Integer::sum);
        }
    }
}
