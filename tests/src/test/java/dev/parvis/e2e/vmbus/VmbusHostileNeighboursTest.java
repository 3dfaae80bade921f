package dev.parvis.e2e.vmbus;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.vmbus.DeviceClass;
import dev.parvis.abi.vmbus.Guid;
import dev.parvis.e2e.GuestHarness;
import dev.parvis.e2e.OnEachBackend;
import dev.parvis.root.loader.LoadedChild;
import dev.parvis.vmbus.device.ChannelHandler;
import dev.parvis.vmbus.device.EchoDevice;
import dev.parvis.vmbus.device.VmbusChannel;
import dev.parvis.vmbus.device.VmbusDeviceClass;
import dev.parvis.vmbus.host.VmbusHost;
import dev.parvis.vmbus.server.VmbusServer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Gcc-built hostile VMBus guests, as many as the host has cores, beside a well-behaved one
 * ({@code vmbus-steady}, a checked echo stream): aliased ring pages ({@code aliasring}), a
 * control-message flood ({@code ctlflood}) and a signal flood ({@code sigflood}). In every case the
 * bystander's echoes keep coming, intact, in every one-second window of the attack (its rate is
 * printed beside its rate alone), and the hostile guest's channel or connection is refused or closed
 * with the reason.
 */
@OnEachBackend
@Timeout(300)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VmbusHostileNeighboursTest {
    private static final int WINDOWS = 5;
    private static final Duration WINDOW = Duration.ofSeconds(1);
    private static final int HOSTILES = Runtime.getRuntime().availableProcessors();

    private VmbusWarnings warnings;
    private GuestHarness h;
    private VmbusHost vmbus;
    private LoadedChild steady;
    private final List<Hostile> hostiles = new ArrayList<>();

    private record Hostile(LoadedChild child, VmbusServer server) {}

    /** vmbus-steady's counters at one instant. */
    private record Steady(long echoes, long mismatches, long failures, long refTime) {
        static Steady read(ByteBuffer b) {
            return new Steady(b.getLong(), b.getLong(), b.getLong(), b.getLong());
        }

        double ratePerSecond(Steady before) {
            return (echoes - before.echoes) * 1e7 / Math.max(1, refTime - before.refTime);
        }
    }

    /** The hostile guests' five-word reply: rounds, then four counters whose meaning each guest documents. */
    private record HostileReport(int rounds, int w1, int w2, int w3, int w4) {
        static HostileReport read(ByteBuffer b) {
            return new HostileReport(b.getInt(), b.getInt(), b.getInt(), b.getInt(), b.getInt());
        }
    }

    @BeforeAll
    void bootBystander() throws Exception {
        warnings = new VmbusWarnings();
        h = new GuestHarness();
        vmbus = new VmbusHost(h.hv);
        steady = boot("vmbus-steady", new EchoDevice()).child();
        h.awaitOutput(steady, "vmbus-steady: echo channel relid 1: status 0x0", GuestHarness.TIMEOUT);
    }

    @AfterEach
    void destroyHostiles() {
        for (Hostile x : hostiles) {
            vmbus.detach(x.child().partitionId());
            h.destroy(x.child());
        }
        hostiles.clear();
    }

    @AfterAll
    void stopBystander() throws Exception {
        try {
            h.send(steady, GuestHarness.u32s(0));
            Steady last = Steady.read(GuestHarness.le(h.awaitMessage(steady)));
            h.awaitPowerOff(steady);
            assertAll(() -> assertEquals(0, last.mismatches(), "bystander mismatches over the whole class"),
                    () -> assertEquals(0, last.failures(), "bystander failures over the whole class"));
        } finally {
            vmbus.close();
            h.close();
            warnings.close();
        }
    }

    @Test
    void aliasedRingGuestsAreRefusedAtOpenAndTheBystanderKeepsEchoing() throws Exception {
        int mark = warnings.mark();
        for (Outcome o : attack("aliasring")) {
            HostileReport r = o.report();
            assertAll(() -> assertTrue(r.rounds() > 0, "rounds " + r),
                    () -> assertEquals(0, r.w3(), "aliased opens the host accepted: " + r),
                    () -> assertTrue(r.w1() != 0 && r.w2() != 0, "both opens refused with a failure status: " + r),
                    () -> assertEquals(r.rounds(), r.w4(), "every proper echo worked: " + r),
                    () -> assertEquals(0, o.hostile().server().gpadlCount(), "no GPADL left behind"));
        }
        assertTrue(warnings.since(mark).stream().anyMatch(l -> l.contains("ring pages alias")), "a warning names the aliasing");
    }

    @Test
    void controlFloodGuestsLoseTheirConnectionWithTheReasonAndTheBystanderKeepsEchoing() throws Exception {
        for (Outcome o : attack("ctlflood")) {
            HostileReport r = o.report();
            String failure = o.hostile().server().failure().orElse("");
            assertAll(() -> assertEquals(1, r.w3(), "the flooder's echo worked before its flood: " + r),
                    () -> assertTrue(failure.contains("control-message flood"), "its connection failed: " + failure),
                    () -> assertEquals(0, r.w4(), "and its echo no longer works: " + r));
        }
    }

    @Test
    void signalFloodGuestsLoseTheirChannelWithTheReasonAndTheBystanderKeepsEchoing() throws Exception {
        int mark = warnings.mark();
        for (Outcome o : attack("sigflood", VmbusHostileNeighboursTest::awaitChannelsClosed)) {
            HostileReport r = o.report();
            assertAll(() -> assertEquals(1, r.w3(), "the flooder's echo worked before its flood: " + r),
                    () -> assertEquals(0, r.w4(), "its channel was closed: " + r),
                    () -> assertTrue(o.hostile().server().channel(1).isEmpty(), "no open channel on the flooder's server"));
        }
        assertTrue(warnings.since(mark).stream().anyMatch(l -> l.contains("closed: signal flood")),
                "a warning names the signal flood: " + warnings.since(mark));
    }

    /**
     * A device whose open throws an Error fails only its own child: the one pump that serves every
     * child goes on, the bystander keeps echoing and a child booted afterwards connects and echoes.
     */
    @Test
    void anErrorWhileServingOneChildFailsOnlyThatChildAndThePumpServesTheRest() throws Exception {
        Hostile broken = boot("vmbus-steady", new ThrowingDevice());
        hostiles.add(broken);
        long deadline = System.nanoTime() + GuestHarness.TIMEOUT.toNanos();
        while (broken.server().failure().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(broken.server().failure().orElse("").contains("OutOfMemoryError"),
                "the child's connection failed with the reason: " + broken.server().failure());
        watchBystander("a failed neighbour");
        Hostile later = boot("vmbus-steady", new EchoDevice());
        hostiles.add(later);
        h.awaitOutput(later.child(), "vmbus-steady: echo channel relid 1: status 0x0", GuestHarness.TIMEOUT);
        h.send(later.child(), GuestHarness.u32s(1));
        Steady s = Steady.read(GuestHarness.le(h.awaitMessage(later.child())));
        assertEquals(0, s.mismatches() + s.failures(), "the later child echoes cleanly: " + s);
    }

    // ---- helpers -----------------------------------------------------------------------------

    private record Outcome(Hostile hostile, HostileReport report) {}

    /**
     * The bystander's rate alone; then {@link #HOSTILES} copies of {@code guest}, each with its own
     * echo device, while the bystander is watched window by window; then each hostile is stopped.
     */
    private List<Outcome> attack(String guest) throws InterruptedException {
        return attack(guest, x -> { });
    }

    /** As {@link #attack(String)}, with {@code settle} run on the hostiles before they are stopped. */
    private List<Outcome> attack(String guest, Settle settle) throws InterruptedException {
        double alone = rateAlone();
        startHostiles(guest, guest + ": round 1:");
        double during = watchBystander(guest);
        settle.accept(hostiles);
        List<Outcome> outcomes = new ArrayList<>();
        for (Hostile x : hostiles) {
            outcomes.add(new Outcome(x, stop(x)));
        }
        System.out.printf("%s x%d: bystander %.0f echoes/s alone, %.0f during%n", guest, HOSTILES, alone, during);
        return outcomes;
    }

    private interface Settle {
        void accept(List<Hostile> hostiles) throws InterruptedException;
    }

    /**
     * Waits (bounded) until every hostile's channel is closed. A signal flood is a rate: on unicorn a
     * guest signals far faster than the allowance refills and loses its channel within the first
     * round; on KVM every signal is an exit of hundreds of microseconds, so the same guest exceeds the
     * refill by a smaller margin and takes several rounds to spend its burst.
     */
    private static void awaitChannelsClosed(List<Hostile> hostiles) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (hostiles.stream().anyMatch(x -> x.server().channel(1).isPresent()) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    private Hostile boot(String guest, VmbusDeviceClass device) {
        AtomicReference<VmbusServer> server = new AtomicReference<>();
        LoadedChild child = h.boot(guest, GuestHarness.GUEST_RAM, id -> server.set(vmbus.attach(id, 1, List.of(device))));
        return new Hostile(child, server.get());
    }

    private void startHostiles(String guest, String firstRound) throws InterruptedException {
        for (int i = 0; i < HOSTILES; i++) {
            hostiles.add(boot(guest, new EchoDevice()));
        }
        for (Hostile x : hostiles) {
            h.awaitOutput(x.child(), firstRound, GuestHarness.TIMEOUT);
        }
    }

    private Steady steadyNow() throws InterruptedException {
        h.send(steady, GuestHarness.u32s(1));
        return Steady.read(GuestHarness.le(h.awaitMessage(steady)));
    }

    private double rateAlone() throws InterruptedException {
        Steady before = steadyNow();
        Thread.sleep(WINDOW.toMillis() * 2);
        return steadyNow().ratePerSecond(before);
    }

    /** Every window of the attack: more echoes than before, none wrong, none failed. Returns the rate. */
    private double watchBystander(String attack) throws InterruptedException {
        Steady first = steadyNow();
        Steady previous = first;
        for (int w = 0; w < WINDOWS; w++) {
            Thread.sleep(WINDOW.toMillis());
            Steady now = steadyNow();
            assertTrue(now.echoes() > previous.echoes(), "bystander echoes advanced in window %d of %s: %s -> %s"
                    .formatted(w, attack, previous, now));
            assertEquals(0, now.mismatches(), "bystander mismatches during " + attack);
            assertEquals(0, now.failures(), () -> "bystander failures during " + attack + "\n" + h.describe(steady));
            previous = now;
        }
        return previous.ratePerSecond(first);
    }

    private HostileReport stop(Hostile x) throws InterruptedException {
        h.send(x.child(), GuestHarness.u32s(0));
        HostileReport r = HostileReport.read(GuestHarness.le(h.awaitMessage(x.child(), Duration.ofSeconds(30))));
        System.out.printf("%s: %s; server failure: %s%n", x.child().name(), r, x.server().failure().orElse("none"));
        return r;
    }

    /** An echo-class device whose open throws OutOfMemoryError (a host failure while serving one child). */
    private static final class ThrowingDevice implements VmbusDeviceClass {
        @Override
        public Guid interfaceType() {
            return DeviceClass.ECHO;
        }

        @Override
        public Guid instance() {
            return EchoDevice.DEFAULT_INSTANCE;
        }

        @Override
        public ChannelHandler open(VmbusChannel channel) {
            throw new OutOfMemoryError("test: no memory to open a channel");
        }
    }
}
