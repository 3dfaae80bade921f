package dev.parvis.e2e.vmbus;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.message.MemoryInterceptMessage;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.e2e.GuestHarness;
import dev.parvis.e2e.OnEachBackend;
import dev.parvis.root.loader.LoadedChild;
import dev.parvis.vmbus.device.EchoDevice;
import dev.parvis.vmbus.host.VmbusHost;
import dev.parvis.vmbus.server.ServerChannel;
import dev.parvis.vmbus.server.VmbusServer;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The gcc-built vmbus-hostile guest attacks the root's VMBus server one scenario at a time (the
 * scenarios are listed at the top of guest-sdk/guests/vmbus-hostile/main.c). For each: the guest
 * sees the published error answer, its echo channel still works (reopened where the host closed
 * it), the server holds no leaked GPADL, no pool page outside the child changed and a warning names
 * the failure. Each scenario runs on a fresh guest, which then unloads and powers off (scenario 0).
 */
@OnEachBackend
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(60)
class VmbusHostileGuestTest {
    private static final int STATUS_UNSUCCESSFUL = VmbusConstants.STATUS_UNSUCCESSFUL;
    private static final int ECHO_RELID = 1;
    /** The guest posts until this many were delivered, at most {@link #FLOOD_ATTEMPTS} times (vmbus-hostile's flood). */
    private static final int FLOOD_MESSAGES = 10_000;
    private static final long FLOOD_ATTEMPTS = 4_000_000;

    private final EchoDevice echo = new EchoDevice();
    private VmbusWarnings warnings;
    private GuestHarness h;
    private VmbusHost vmbus;
    private LoadedChild hostile;
    private VmbusServer server;

    /** What one scenario did, from both sides. */
    private record Outcome(HostileReply reply, List<Long> changedOutside, int comparedPages, List<String> warnings,
                           long newGuestErrors) {}

    @BeforeAll
    void bootHypervisor() {
        warnings = new VmbusWarnings();
        h = new GuestHarness();
        vmbus = new VmbusHost(h.hv);
    }

    /** A fresh hostile guest per scenario: connected, echo channel open on relid 1. */
    @BeforeEach
    void bootHostileGuest() throws Exception {
        AtomicReference<VmbusServer> ref = new AtomicReference<>();
        hostile = h.boot("vmbus-hostile", GuestHarness.GUEST_RAM, id -> ref.set(vmbus.attach(id, 1, List.of(echo))));
        server = ref.get();
        h.awaitOutput(hostile, "echo channel relid 1 opened: status 0x0", GuestHarness.TIMEOUT);
    }

    /** Scenario 0 after every scenario: the guest unloads VMBus and powers off cleanly. */
    @AfterEach
    void powerOffHostileGuest() throws Exception {
        try {
            h.send(hostile, GuestHarness.u32s(0));
            h.awaitPowerOff(hostile, Duration.ofSeconds(5));
            // UNLOAD only asks the channel's worker to stop; it ends on its own thread.
            // (its latch opens just before it tells the server, so poll the server, bounded).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.channel(ECHO_RELID).isPresent() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            // A guest whose connection failed (the flood) gets no UNLOAD_RESPONSE: the server ignores it.
            boolean failed = server.failure().isPresent();
            assertAll(
                    () -> assertTrue(failed || h.output(hostile).contains("vmbus-hostile: unload: status 0x0"), () -> "unload answered\n" + h.describe(hostile)),
                    () -> assertEquals(Optional.empty(), server.version(), "no connection after unload"),
                    () -> assertEquals(List.of(), server.offeredRelids(), "no offers after unload"),
                    () -> assertEquals(0, server.gpadlCount(), "no GPADLs after unload"),
                    () -> assertEquals(Optional.empty(), server.channel(ECHO_RELID), "no open channel after unload"));
        } finally {
            vmbus.detach(hostile.partitionId());
            h.destroy(hostile);
        }
    }

    @AfterAll
    void tearDown() {
        try {
            if (vmbus != null) {
                vmbus.close();
            }
            if (h != null) {
                h.close();
            }
        } finally {
            if (warnings != null) {
                warnings.close();
            }
        }
    }

    @Test
    @Order(1)
    void gpadlNamingAPfnBeyondRamIsRefusedWithStatusUnsuccessful() throws Exception {
        Outcome o = run(1);
        assertAll(
                () -> assertEquals(STATUS_UNSUCCESSFUL, o.reply().observed(), () -> "GPADL_CREATED.creation_status\n" + h.describe(hostile)),
                () -> assertEchoWorksAndNothingLeaked(o),
                () -> assertWarned(o, "refused: pages refused"));
    }

    @Test
    @Order(2)
    void gpadlBodyWithoutAHeaderIsLoggedAndNotAnswered() throws Exception {
        Outcome o = run(2);
        assertAll(
                () -> assertEquals(HostileReply.NO_ANSWER, o.reply().observed(), () -> "no GPADL_CREATED: no GPADL waits for one\n" + h.describe(hostile)),
                () -> assertEchoWorksAndNothingLeaked(o),
                () -> assertWarned(o, "GPADL_BODY for no GPADL being assembled"));
    }

    @Test
    @Order(3)
    void openChannelOfAnUnknownRelidIsAnsweredWithStatusUnsuccessful() throws Exception {
        Outcome o = run(3);
        assertAll(
                () -> assertEquals(STATUS_UNSUCCESSFUL, o.reply().observed(), () -> "OPENCHANNEL_RESULT.status for relid 1999\n" + h.describe(hostile)),
                () -> assertEquals(List.of(ECHO_RELID), server.offeredRelids(), "offers unchanged"),
                () -> assertEchoWorksAndNothingLeaked(o),
                () -> assertWarned(o, "OPEN_CHANNEL of relid 1999 refused: unknown relid"));
    }

    @Test
    @Order(4)
    void teardownOfTheRingGpadlOfAnOpenChannelIsHeldOffAndTheChannelKeepsEchoing() throws Exception {
        ServerChannel before = server.channel(ECHO_RELID).orElseThrow();
        Outcome o = run(4);
        assertAll(
                () -> assertEquals(0, o.reply().observed(), () -> "GPADL_TORNDOWN arrived while the channel was open\n" + h.describe(hostile)),
                () -> assertEquals(Optional.of(before), server.channel(ECHO_RELID), "the same channel is still the open one"),
                () -> assertTrue(before.isOpen(), "the channel is open"),
                () -> assertEchoWorksAndNothingLeaked(o),
                () -> assertWarned(o, "refused while channel 1 uses it"));
    }

    @Test
    @Order(5)
    void writeIndexBeyondTheRingClosesThatChannelAndAReopenedChannelEchoes() throws Exception {
        assertRingCorruptionClosesTheChannel(5);
    }

    @Test
    @Order(6)
    void packetLengthBeyondTheRingClosesThatChannelAndAReopenedChannelEchoes() throws Exception {
        assertRingCorruptionClosesTheChannel(6);
    }

    @Test
    @Order(7)
    void payloadOffsetInsideTheDescriptorClosesThatChannelAndAReopenedChannelEchoes() throws Exception {
        assertRingCorruptionClosesTheChannel(7);
    }

    private void assertRingCorruptionClosesTheChannel(int scenario) throws Exception {
        ServerChannel before = server.channel(ECHO_RELID).orElseThrow();
        Outcome o = run(scenario);
        Optional<ServerChannel> after = server.channel(ECHO_RELID);
        assertAll(
                () -> assertEquals(1, o.reply().observed(), () -> "the host closed the corrupt channel\n" + h.describe(hostile)),
                () -> assertTrue(before.isTerminated(), "the corrupt channel's worker stopped"),
                () -> assertTrue(after.isPresent() && after.get().isOpen(), "a reopened channel on relid 1"),
                () -> assertNotSame(before, after.orElse(null), "the open channel is a new one"),
                () -> assertEchoWorksAndNothingLeaked(o),
                () -> assertWarned(o, "channel 1 closed: inbound ring corrupt"));
    }

    /**
     * 10,000 control messages delivered as fast as the guest can post them (posts the hypervisor
     * refuses for a full queue, more of them on a loaded host, do not count), never reading the answers, while a
     * second VMBus child (a bystander) runs a scenario that needs a control-message answer from the
     * same root pump. The flooder overflows its own bounded queue and loses its connection, with the
     * reason; the bystander is answered during and after the flood.
     */
    @Test
    @Order(8)
    void floodOfControlMessagesFailsOnlyTheFloodersConnectionAndTheRootAnswersAnotherChild() throws Exception {
        EchoDevice bystanderEcho = new EchoDevice();
        AtomicReference<VmbusServer> ref = new AtomicReference<>();
        LoadedChild bystander = h.boot("vmbus-hostile", GuestHarness.GUEST_RAM,
                id -> ref.set(vmbus.attach(id, 1, List.of(bystanderEcho))));
        h.awaitOutput(bystander, "echo channel relid 1 opened: status 0x0", GuestHarness.TIMEOUT);

        int mark = warnings.mark();
        long errorsBefore = server.guestErrorCount();
        OutsidePages pagesBefore = OutsidePages.of(h, hostile, bystander);
        long start = System.nanoTime();
        h.send(hostile, GuestHarness.u32s(8));
        h.send(bystander, GuestHarness.u32s(3));
        HostileReply bystanderReply = HostileReply.read(h.awaitMessage(bystander));
        long bystanderMillis = (System.nanoTime() - start) / 1_000_000;
        HostileReply reply = HostileReply.read(h.awaitMessage(hostile, Duration.ofSeconds(40)));
        long floodMillis = (System.nanoTime() - start) / 1_000_000;
        long refused = Integer.toUnsignedLong(reply.observed());
        // After the flood: the shared root pump must still answer the bystander's control messages promptly.
        long afterStart = System.nanoTime();
        h.send(bystander, GuestHarness.u32s(3));
        HostileReply bystanderAfter = HostileReply.read(h.awaitMessage(bystander));
        long bystanderAfterMillis = (System.nanoTime() - afterStart) / 1_000_000;
        OutsidePages pagesAfter = OutsidePages.of(h, hostile, bystander);
        List<String> lines = warnings.since(mark);
        long newErrors = server.guestErrorCount() - errorsBefore;
        System.out.printf("after the flood: bystander %s after %d ms%n", bystanderAfter, bystanderAfterMillis);
        System.out.printf("flood: %s in %d ms, %d posts refused for a full queue, %d guest errors counted, %d warning lines; "
                + "bystander %s after %d ms%n", reply, floodMillis, refused, newErrors, lines.size(), bystanderReply, bystanderMillis);

        h.send(bystander, GuestHarness.u32s(0));
        h.awaitPowerOff(bystander);
        String failure = server.failure().orElse("");
        assertAll(
                () -> assertTrue(failure.contains("control-message flood"),
                        "the flooder, which never read its answers, lost its connection with the reason: " + failure),
                () -> assertEquals(0, reply.echoStillWorks(), () -> "so its echo no longer works\n" + h.describe(hostile)),
                () -> assertTrue(refused <= FLOOD_ATTEMPTS - FLOOD_MESSAGES, "insufficient-buffer count " + reply),
                () -> assertEquals(STATUS_UNSUCCESSFUL, bystanderReply.observed(),
                        () -> "the bystander got its OPENCHANNEL_RESULT during the flood\n" + h.describe(bystander)),
                () -> assertEquals(1, bystanderReply.echoStillWorks(), "the bystander's echo works during the flood"),
                () -> assertEquals(STATUS_UNSUCCESSFUL, bystanderAfter.observed(),
                        () -> "the bystander got its OPENCHANNEL_RESULT after the flood (0xffffffff = no answer within 2 s)\n" + h.describe(bystander)),
                () -> assertTrue(bystanderAfterMillis < 3000, "bystander round trip after the flood: " + bystanderAfterMillis + " ms"),
                () -> assertEquals(0, server.gpadlCount(), "the failed connection holds no GPADL"),
                () -> assertEquals(0, server.pendingPfnSlots(), "PFN slots held by half-assembled GPADLs"),
                () -> assertEquals(List.of(), server.offeredRelids(), "nor offers"),
                () -> assertEquals(h.hv.pool().pageCount() - excludedCount(hostile, bystander), pagesAfter.comparedWith(pagesBefore), "pages compared"),
                () -> assertEquals(List.of(), pagesAfter.changedSince(pagesBefore), "pool pages outside both children that changed"),
                () -> assertTrue(lines.stream().anyMatch(l -> l.contains("second REQUEST_OFFERS ignored")), "a warning names the repeated REQUEST_OFFERS\n" + lines),
                () -> assertTrue(lines.stream().anyMatch(l -> l.contains("connection failed: control-message flood")), "a warning names the failure\n" + lines),
                () -> assertTrue(lines.size() <= 100 + 10 * (floodMillis / 1000 + 2), "rate-limited warnings: " + lines.size()));
        vmbus.detach(bystander.partitionId());
        h.destroy(bystander);
    }

    // ---- helpers -----------------------------------------------------------------------------

    /** Sends {@code scenario}, waits for the reply; snapshots pool pages outside the child around it. */
    private Outcome run(int scenario) throws InterruptedException {
        int mark = warnings.mark();
        long errorsBefore = server.guestErrorCount();
        OutsidePages before = OutsidePages.of(h, hostile);
        h.send(hostile, GuestHarness.u32s(scenario));
        HostileReply reply = HostileReply.read(awaitReply(hostile));
        OutsidePages after = OutsidePages.of(h, hostile);
        assertEquals(scenario, reply.scenario(), "the reply names the scenario");
        Outcome o = new Outcome(reply, after.changedSince(before), after.comparedWith(before), warnings.since(mark),
                server.guestErrorCount() - errorsBefore);
        System.out.printf("vmbus-hostile %s; %d guest errors, warnings %s%n", reply, o.newGuestErrors(), o.warnings());
        return o;
    }

    /** The child's next reply; a timeout fails naming the intercept that stopped the guest, if any. */
    private HvMessage awaitReply(LoadedChild child) throws InterruptedException {
        Optional<HvMessage> m = h.pollMessage(child, GuestHarness.TIMEOUT);
        if (m.isPresent()) {
            return m.get();
        }
        String why = h.pollIntercept(child, Duration.ZERO).map(VmbusHostileGuestTest::describeIntercept).orElse("no intercept");
        return fail("no reply from %s within %s (%s)%n%s".formatted(child.name(), GuestHarness.TIMEOUT, why, h.describe(child)));
    }

    private static String describeIntercept(HvMessage m) {
        if (m.type().equals(HvMessageType.GPA_INTERCEPT) || m.type().equals(HvMessageType.UNMAPPED_GPA)) {
            MemoryInterceptMessage mem = MemoryInterceptMessage.read(MemorySegment.ofArray(m.payload()));
            return "%s at GPA 0x%x, rip 0x%x, access %d".formatted(m.type(), mem.guestPhysicalAddress(), mem.header().rip(),
                    mem.header().accessType());
        }
        return "intercept " + m.type();
    }

    private void assertEchoWorksAndNothingLeaked(Outcome o) {
        assertAll(
                () -> assertEquals(1, o.reply().echoStillWorks(), () -> "echo_still_works\n" + h.describe(hostile)),
                () -> assertEquals(1, server.gpadlCount(), "GPADLs on the server (only the open ring)"),
                () -> assertEquals(0, server.pendingPfnSlots(), "PFN slots of half-assembled GPADLs"),
                () -> assertTrue(server.channel(ECHO_RELID).map(ServerChannel::isOpen).orElse(false), "echo channel open"),
                () -> assertEquals(h.hv.pool().pageCount() - excludedCount(hostile), o.comparedPages(), "pool pages compared"),
                () -> assertEquals(List.of(), o.changedOutside(), "pool pages outside the hostile child that changed"));
    }

    private static void assertWarned(Outcome o, String text) {
        assertAll(
                () -> assertTrue(o.newGuestErrors() >= 1, "the server counted a guest error"),
                () -> assertTrue(o.warnings().stream().anyMatch(l -> l.startsWith("WARN ") && l.contains(text)),
                        "a VMBus WARN containing \"" + text + "\"; got " + o.warnings()));
    }

    private long excludedCount(LoadedChild... children) {
        long n = 0;
        for (LoadedChild c : children) {
            n += h.partition(c).gpaMap().mappedGpns().length + h.partition(c).hypervisorPages().length;
        }
        return n;
    }
}
