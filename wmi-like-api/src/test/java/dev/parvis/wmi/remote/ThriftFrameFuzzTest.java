package dev.parvis.wmi.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.root.vm.VmState;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.client.ManagementClient;
import dev.parvis.wmi.client.ThriftManagementClient;
import dev.parvis.wmi.thrift.gen.CimValue;
import dev.parvis.wmi.thrift.gen.ManagementApi;
import java.lang.management.ManagementFactory;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.thrift.TBase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded hostile frames on the management API ({@code -Dparvis.fuzz.cases=N}, {@code
 * -Dparvis.fuzz.seed=S}, one case alone with {@code -Dparvis.fuzz.case=I}, every case's frame and
 * outcome with {@code -Dparvis.fuzz.verbose=true}): well-formed calls of every method of the IDL,
 * mutated knowing their structure ({@link MutatedFrame}), and random garbage, each on its own TLS
 * connection before login, as an administrator or as a reader, a third of them followed by a
 * well-formed query on the same connection. Each case must end with the server answering as the IDL
 * allows (an application error, or a reply with one result or one declared exception) or closing,
 * within the read timeout; nothing logged at ERROR and no exception escaping a server thread; the
 * connection and its subscriptions released; no more allocated during the case than a bound (plus
 * the Argon2 hash of each password checked), so no allocation followed a size the frame claimed.
 * Every 100 cases and at the end a fresh client is still answered correctly; at the end the heap
 * retained is back near where it started and no connection or subscription is left open.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ThriftFrameFuzzTest {
    private static final int CASES = Integer.getInteger("parvis.fuzz.cases", 1000);
    private static final long SEED = Long.getLong("parvis.fuzz.seed", 0x7A1F_F0E5L);
    private static final int ONE_CASE = Integer.getInteger("parvis.fuzz.case", -1);
    private static final boolean VERBOSE = Boolean.getBoolean("parvis.fuzz.verbose");
    /** Longer than the longest wait a call may ask for (a 30 s long poll). */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(40);
    /** What a case may allocate in the whole process: TLS on both sides, a frame at its limit, containers at their limit on a few levels. */
    private static final long CASE_ALLOCATION_BOUND = 8L << 20;
    /** Argon2id takes 19 MiB per password checked, by design. */
    private static final long PASSWORD_CHECK_ALLOCATION = 20L << 20;
    private static final long RETAINED_HEAP_BOUND = 32L << 20;
    private static final String WEB01 = "SELECT * FROM Msvm_ComputerSystem WHERE ElementName = 'web01'";
    private static final String EVENTS = "SELECT * FROM __InstanceModificationEvent WITHIN 1 WHERE TargetInstance ISA 'Msvm_ComputerSystem'";
    private static final String VSMS = "Msvm_VirtualSystemManagementService.CreationClassName=\"Msvm_VirtualSystemManagementService\","
            + "Name=\"vmms\",SystemCreationClassName=\"Msvm_ComputerSystem\",SystemName=\"testhost\"";
    /** The sequence id of the well-formed query that follows some hostile frames on their connection. */
    private static final int FOLLOW_UP_SEQID = 0x0F0110;
    private static final String[] METHODS = {"resume", "query", "getInstance", "invokeMethod", "subscribe", "poll", "unsubscribe"};

    @TempDir
    static Path dir;

    private final ServerLimits limits = ServerLimits.defaults();
    private final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private ServerFixture fx;
    private ServerLog log;
    private javax.net.ssl.SSLSocketFactory tls;
    private String adminToken;
    private String readerToken;
    private CimInstance web01;

    /** Who the connection is before the hostile frame. */
    private enum Phase { NOT_LOGGED_IN, ADMINISTRATOR, READER }

    @BeforeAll
    void start() throws Exception {
        fx = new ServerFixture(dir, limits);
        fx.mocked.add("web01", VmState.RUNNING);
        try (ThriftManagementClient admin = ThriftManagementClient.connect(fx.options("admin", ServerFixture.ADMIN_PASSWORD));
             ThriftManagementClient reader = ThriftManagementClient.connect(fx.options("reader", ServerFixture.READER_PASSWORD))) {
            adminToken = admin.token();
            readerToken = reader.token();
            web01 = admin.virtualMachine("web01").orElseThrow();
        }
        log = new ServerLog(fx.audit.file());
        tls = HostileClient.factory(fx);
    }

    @AfterAll
    void stop() {
        log.close();
        fx.close();
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void everyHostileFrameIsAnsweredAsTheIdlAllowsOrClosedAndTheServerKeepsServing() throws Exception {
        long retainedBefore = retainedHeap();
        int subscriptionsBefore = fx.model.subscriptionCount();
        int first = Math.max(0, ONE_CASE);
        int end = ONE_CASE >= 0 ? ONE_CASE + 1 : CASES;
        Tally tally = new Tally();
        long began = System.nanoTime();
        int warnings = log.mark();
        for (int i = first; i < end && tally.failures.size() < 10; i++) {
            Random r = new Random(caseSeed(i));
            Phase phase = Phase.values()[r.nextInt(4) == 0 ? 0 : r.nextInt(4) == 0 ? 2 : 1];
            String method = r.nextInt(40) == 0 ? "login" : METHODS[r.nextInt(METHODS.length)];
            String label = "case %d (replay: -Dparvis.fuzz.seed=%d -Dparvis.fuzz.case=%d), %s".formatted(i, SEED, i, phase);
            tally.ran++;
            try {
                tally.add(i, label, runCase(phase, method, r));
            } catch (Hang h) { // the server is likely wedged: the cases after it would only wait as long
                tally.failures.add(label + ": " + h.getMessage());
                break;
            } catch (Throwable t) { // AssertionError, IOException, TException: each names the case
                tally.failures.add(label + ": " + t);
            }
            if (i % 100 == 99) {
                assertServerStillServes();
            }
        }
        List<String> warned = log.since(warnings);
        System.out.printf("thrift frame fuzz: %d cases (seed %d) in %d s, outcomes %s; most allocated beyond password checks %d KiB"
                + " (case %d); %d WARN lines, distinct: %s%n", tally.ran, SEED, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began),
                tally.outcomes, tally.mostAllocated >> 10, tally.mostAllocatedCase, warned.size(), warned.stream().distinct().limit(20).toList());
        assertTrue(tally.failures.isEmpty(), tally.failures.size() + " failing cases:\n" + String.join("\n", tally.failures));
        assertServerStillServes();
        awaitConnectionsClosed(subscriptionsBefore, "the last well-formed client");
        long retainedAfter = retainedHeap();
        assertTrue(retainedAfter - retainedBefore < RETAINED_HEAP_BOUND,
                "heap retained grew from %d to %d KiB".formatted(retainedBefore >> 10, retainedAfter >> 10));
    }

    /** What a run saw: how many cases, each outcome's count, the failures, and the case that allocated most. */
    private static final class Tally {
        final Map<String, Integer> outcomes = new TreeMap<>();
        final List<String> failures = new ArrayList<>();
        int ran;
        long mostAllocated;
        int mostAllocatedCase = -1;

        void add(int i, String label, CaseResult c) {
            if (VERBOSE) {
                System.out.printf("%s: %s, %d KiB; %s%n", label, c.outcome(), c.allocated() >> 10, c.frame());
            }
            outcomes.merge(c.outcome(), 1, Integer::sum);
            if (c.allocated() > mostAllocated) {
                mostAllocated = c.allocated();
                mostAllocatedCase = i;
            }
        }
    }

    /**
     * Every well-formed call cut short at every byte, framed with its true length and with its
     * full length: each closes the connection or gets an answer.
     */
    @Test
    void everyCallCutShortAtEveryByteIsAnsweredOrClosed() throws Exception {
        Random r = new Random(SEED);
        int cases = 0;
        List<String> failures = new ArrayList<>();
        for (String method : new String[] {"login", "query", "getInstance", "poll"}) {
            RecordedCall call = baseCall(method, "subscription-1", r);
            for (int keep = 0; keep < call.bytes().length; keep++) {
                // A frame claiming its full length ends at the half-close wherever it is cut: every fourth cut is enough.
                for (boolean lying : keep % 4 == 0 ? new boolean[] {false, true} : new boolean[] {false}) {
                    MutatedFrame frame = MutatedFrame.truncated(call, limits, keep, lying);
                    try {
                        check(Phase.ADMINISTRATOR, call, frame);
                    } catch (Throwable t) {
                        failures.add(frame.description() + ": " + t);
                    }
                    cases++;
                }
            }
        }
        System.out.printf("thrift frame fuzz: %d truncations%n", cases);
        assertTrue(failures.isEmpty(), failures.size() + " failing truncations, the first:\n" + String.join("\n", failures.stream()
                .limit(10).toList()));
        assertServerStillServes();
    }

    /** The server neither answered nor closed within the read timeout. */
    private static final class Hang extends AssertionError {
        Hang(String message) {
            super(message);
        }
    }

    /** What one case got back, and what the process allocated meanwhile beyond its password checks. */
    private record CaseResult(String outcome, long allocated, String frame) {
    }

    private CaseResult runCase(Phase phase, String method, Random r) throws Exception {
        boolean garbage = r.nextInt(7) == 0;
        int subscriptions = fx.model.subscriptionCount();
        try (HostileClient client = HostileClient.open(tls, fx, ANSWER_TIMEOUT)) {
            String subscription = login(client, phase, method);
            MutatedFrame frame = garbage ? MutatedFrame.garbage(limits, r) : MutatedFrame.of(baseCall(method, subscription, r), limits, r);
            return exchange(client, frame, r.nextInt(3) == 0, subscriptions);
        }
    }

    private void check(Phase phase, RecordedCall call, MutatedFrame frame) throws Exception {
        int subscriptions = fx.model.subscriptionCount();
        try (HostileClient client = HostileClient.open(tls, fx, ANSWER_TIMEOUT)) {
            login(client, phase, call.method());
            exchange(client, frame, false, subscriptions);
        }
    }

    /** Resumes the session {@code phase} names and, for poll and unsubscribe, subscribes; returns the subscription's id. */
    private String login(HostileClient client, Phase phase, String method) throws Exception {
        if (phase == Phase.NOT_LOGGED_IN) {
            return "subscription-1";
        }
        String token = phase == Phase.ADMINISTRATOR ? adminToken : readerToken;
        assertTrue(client.call(RecordedCall.of("resume", new ManagementApi.resume_args(token), 1)).succeeded(), "resume");
        if (!method.equals("poll") && !method.equals("unsubscribe")) {
            return "subscription-1";
        }
        HostileClient.Answer sub = client.call(RecordedCall.of("subscribe", new ManagementApi.subscribe_args(EVENTS), 2));
        assertTrue(sub.succeeded(), "subscribe: " + sub.what());
        return ((ManagementApi.subscribe_result) sub.result()).getSuccess();
    }

    /** Sends the frame, half-closes, reads every answer until the server closes, then checks what the server did meanwhile. */
    /**
     * Sends the frame (then, with {@code followUp}, a well-formed query in a frame of its own, to see
     * the connection carry on after the hostile one), half-closes, reads every answer until the
     * server closes, then checks what the server did meanwhile.
     */
    private CaseResult exchange(HostileClient client, MutatedFrame frame, boolean followUp, int subscriptions) throws Exception {
        int mark = log.mark();
        int checks = log.passwordChecks();
        long allocatedBefore = threads.getTotalThreadAllocatedBytes();
        List<HostileClient.Answer> answers;
        try {
            client.send(frame.wire());
            if (followUp) {
                byte[] query = RecordedCall.of("query", new ManagementApi.query_args(WEB01), FOLLOW_UP_SEQID).bytes();
                client.send(java.nio.ByteBuffer.allocate(4 + query.length).putInt(query.length).put(query).array());
            }
            answers = client.drain();
        } catch (SocketTimeoutException e) {
            throw new Hang("no answer and no close within " + ANSWER_TIMEOUT.toSeconds() + " s: " + frame.description());
        }
        awaitConnectionsClosed(subscriptions, frame.description());
        long allocated = threads.getTotalThreadAllocatedBytes() - allocatedBefore;
        long hashes = log.passwordChecks() - checks;
        List<String> failures = log.failuresSince(mark);
        assertTrue(failures.isEmpty(), "the server logged " + failures + " for " + frame.description());
        long bound = CASE_ALLOCATION_BOUND + hashes * PASSWORD_CHECK_ALLOCATION;
        assertTrue(allocated < bound, "the process allocated %d KiB (bound %d KiB, %d password checks) for %s".formatted(allocated >> 10,
                bound >> 10, hashes, frame.description()));
        // An application error echoes whatever method name was sent: left out of the tally.
        String outcome = answers.isEmpty() ? "closed" : String.join(",", answers.stream()
                .map(a -> a.what().startsWith("application error") ? a.what()
                        : (a.seqid() == FOLLOW_UP_SEQID ? "then " : "") + a.method() + ":" + a.what()).distinct().toList());
        return new CaseResult(outcome, allocated - hashes * PASSWORD_CHECK_ALLOCATION, frame.description() + (followUp ? "; then a query" : ""));
    }

    /**
     * The server has ended the case's connection (no other is open: cases run one at a time) and
     * the subscriptions are back to {@code subscriptions}, as before the case; the server does both
     * just after closing the socket.
     */
    private void awaitConnectionsClosed(int subscriptions, String after) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (fx.server.openConnections() != 0 || fx.model.subscriptionCount() != subscriptions) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("%d connections and %d subscriptions (%d before the case) still open 5 s after the server closed: %s"
                        .formatted(fx.server.openConnections(), fx.model.subscriptionCount(), subscriptions, after));
            }
            Thread.sleep(0, 200_000);
        }
    }

    /** A well-formed call of {@code method}; invokeMethod is either a read-only summary or a DefineSystem the host refuses. */
    private RecordedCall baseCall(String method, String subscription, Random r) {
        TBase<?, ?> args = switch (method) {
            case "login" -> new ManagementApi.login_args("admin", ServerFixture.ADMIN_PASSWORD);
            case "resume" -> new ManagementApi.resume_args(adminToken);
            case "query" -> new ManagementApi.query_args(WEB01);
            case "getInstance" -> new ManagementApi.getInstance_args(web01.path().toString());
            case "invokeMethod" -> r.nextBoolean()
                    ? new ManagementApi.invokeMethod_args(VSMS, "GetSummaryInformation", Map.of(
                            "SettingData", CimValue.textArray(List.of(web01.path().toString())),
                            "RequestedInformation", CimValue.intArray(List.of(1L, 4L, 101L))))
                    : new ManagementApi.invokeMethod_args(VSMS, "DefineSystem", Map.of("SystemSettings", settings()));
            case "subscribe" -> new ManagementApi.subscribe_args(EVENTS);
            case "poll" -> new ManagementApi.poll_args(subscription, 1, 0);
            case "unsubscribe" -> new ManagementApi.unsubscribe_args(subscription);
            default -> throw new IllegalArgumentException(method);
        };
        return RecordedCall.of(method, args, 1 + r.nextInt(1000));
    }

    /** An embedded instance with a value of every kind the CimValue union has; its guest image is outside the storage directories. */
    private CimValue settings() {
        Map<String, CimValue> p = new java.util.LinkedHashMap<>();
        p.put("ElementName", CimValue.textValue("fuzz"));
        p.put("GuestImage", CimValue.textValue("/dev/zero"));
        p.put("VirtualNumaEnabled", CimValue.boolValue(false));
        p.put("MemoryMb", CimValue.intValue(256));
        p.put("Weight", CimValue.realValue(0.5));
        p.put("CreationTime", CimValue.datetimeValue("2024-05-01T10:15:30.123Z"));
        p.put("AutomaticStartupActionDelay", CimValue.intervalMillis(1000));
        p.put("Parent", CimValue.referenceValue(web01.path().toString()));
        p.put("Notes", CimValue.textArray(List.of("a", "b")));
        p.put("Processors", CimValue.intArray(List.of(1L, 2L)));
        var nested = new dev.parvis.wmi.thrift.gen.CimInstance("Msvm_ProcessorSettingData", "", Map.of("VirtualQuantity",
                CimValue.intValue(2)));
        p.put("ResourceSettings", CimValue.instances(List.of(nested)));
        return CimValue.instances(List.of(new dev.parvis.wmi.thrift.gen.CimInstance("Msvm_VirtualSystemSettingData", "", p)));
    }

    /** A new, well-behaved client (token login: the check is the server, not Argon2) gets the right answer. */
    private void assertServerStillServes() {
        try (ManagementClient c = ThriftManagementClient.resume(fx.options("admin", ServerFixture.ADMIN_PASSWORD), adminToken)) {
            List<CimInstance> vms = c.query(WEB01);
            assertEquals(1, vms.size());
            assertEquals(web01.path(), vms.getFirst().path());
        }
    }

    private static long retainedHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Case {@code i}'s own seed, mixed (SplitMix64) so that the cases of two nearby seeds share nothing. */
    private static long caseSeed(int i) {
        long z = SEED + (i + 1L) * 0x9E37_79B9_7F4A_7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }
}
