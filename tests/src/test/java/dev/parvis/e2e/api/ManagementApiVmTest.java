package dev.parvis.e2e.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parvis.wmi.cim.CimEvent;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.MethodResult;
import dev.parvis.wmi.cim.ObjectPath;
import dev.parvis.wmi.cim.ReturnCode;
import dev.parvis.wmi.client.EventSubscription;
import dev.parvis.wmi.client.ThriftManagementClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Everything a user does with a VM, through the Java client over loopback TLS against a live
 * host, on one icdaemon VM in order: define, start, query, watch its state change, heartbeat and
 * KVP, copy a file in, save, restore, stop, destroy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ManagementApiVmTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String WATCH = "SELECT * FROM __InstanceModificationEvent WITHIN 1 WHERE TargetInstance ISA 'Msvm_ComputerSystem'"
            + " AND TargetInstance.ElementName = 'api-vm' AND TargetInstance.EnabledState <> PreviousInstance.EnabledState";

    @TempDir
    static Path dataDir;

    private LiveApiHost host;
    private ThriftManagementClient client;
    private EventSubscription states;
    private final List<String> transitions = new ArrayList<>();
    private ObjectPath vm;

    @BeforeAll
    void start() {
        host = new LiveApiHost(dataDir, 96L << 20);
        client = host.admin();
        states = client.subscribe(WATCH);
    }

    @AfterAll
    void stop() {
        if (states != null) {
            states.close();
        }
        if (client != null) {
            client.close();
        }
        if (host != null) {
            host.close();
        }
    }

    private ObjectPath vsms() {
        return client.query("SELECT * FROM Msvm_VirtualSystemManagementService").getFirst().path();
    }

    private long enabledState() {
        return client.get(vm).integer("EnabledState").orElseThrow();
    }

    private CimInstance run(ObjectPath target, String method, Map<String, CimValue> in) {
        List<Long> progress = new ArrayList<>();
        CimInstance job = client.awaitJob(client.invoke(target, method, in), TIMEOUT, j -> progress.add(j.integer("PercentComplete").orElse(0L)));
        System.out.printf("api: %s -> job %s, JobState %d, progress seen %s, elapsed %s%n", method, job.text("Description").orElse(""),
                job.integer("JobState").orElseThrow(), progress, job.text("ElapsedTime").orElse("-"));
        return job;
    }

    private CimInstance requestState(int state) {
        return run(vm, "RequestStateChange", Map.of("RequestedState", CimValue.of(state)));
    }

    @Test
    @Order(1)
    void defineSystemCreatesTheVm() {
        CimInstance settings = CimInstance.builder("Msvm_VirtualSystemSettingData").set("ElementName", "api-vm").set("GuestImage", "icdaemon")
                .set("IntegrationServices", new CimValue.TextArray(List.of("Heartbeat", "Shutdown", "Time Synchronization",
                        "Key-Value Pair Exchange", "Guest Service Interface"))).build();
        CimInstance memory = CimInstance.builder("Msvm_MemorySettingData").set("VirtualQuantity", 16).build();
        MethodResult r = client.invoke(vsms(), "DefineSystem", Map.of("SystemSettings", new CimValue.Instances(List.of(settings)),
                "ResourceSettings", new CimValue.Instances(List.of(memory))));
        assertEquals(ReturnCode.COMPLETED, r.returnValue());
        vm = ((CimValue.Ref) r.outParameters().get("ResultingSystem")).value();
        assertEquals(3L, enabledState(), "a new VM is Off");
    }

    @Test
    @Order(2)
    void startRunsItAndWqlFindsIt() {
        requestState(2);
        List<CimInstance> running = client.query("SELECT ElementName, EnabledState FROM Msvm_ComputerSystem WHERE EnabledState = 2 AND "
                + "Caption = 'Virtual Machine' AND ElementName LIKE 'api-%'");
        assertEquals(List.of("api-vm"), running.stream().map(i -> i.text("ElementName").orElseThrow()).toList());
        CimInstance settings = client.query("ASSOCIATORS OF {" + vm + "} WHERE ResultClass = Msvm_VirtualSystemSettingData").getFirst();
        CimInstance memory = client.query("ASSOCIATORS OF {" + settings.path() + "} WHERE ResultClass = Msvm_MemorySettingData").getFirst();
        assertEquals(16L, memory.integer("VirtualQuantity").orElseThrow());
        CimInstance summary = client.query("SELECT * FROM Msvm_SummaryInformation WHERE ElementName = 'api-vm'").getFirst();
        assertEquals(2L, summary.integer("EnabledState").orElseThrow());
    }

    @Test
    @Order(3)
    void theSubscriptionSawEachStateChangeWithItsPreviousState() {
        awaitTransitions(List.of("3->10", "10->2"));
    }

    private void awaitTransitions(List<String> expected) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!transitions.containsAll(expected) && System.nanoTime() < deadline) {
            for (CimEvent e : states.poll(50, Duration.ofSeconds(2)).events()) {
                transitions.add(e.previous().orElseThrow().integer("EnabledState").orElseThrow() + "->"
                        + e.target().integer("EnabledState").orElseThrow());
            }
        }
        System.out.println("api: EnabledState transitions seen by the subscription: " + transitions);
        assertTrue(transitions.containsAll(expected), "expected " + expected + " in " + transitions);
    }

    @Test
    @Order(4)
    void heartbeatAndKvpItemsAreReadable() {
        awaitInstance("heartbeat OK", () -> client.query("ASSOCIATORS OF {" + vm + "} WHERE ResultClass = Msvm_HeartbeatComponent"),
                i -> i.value("OperationalStatus").orElseThrow().equals(new CimValue.IntArray(List.of(2L))));
        CimInstance kvp = awaitInstance("guest intrinsic KVP items",
                () -> client.query("ASSOCIATORS OF {" + vm + "} WHERE ResultClass = Msvm_KvpExchangeComponent"),
                i -> i.value("GuestIntrinsicExchangeItems").map(v -> items(v).containsKey("OSName")).orElse(false));
        Map<String, String> intrinsic = items(kvp.value("GuestIntrinsicExchangeItems").orElseThrow());
        assertEquals("Parvis guest", intrinsic.get("OSName"), "intrinsic items " + intrinsic);
        CimInstance item = CimInstance.builder("Msvm_KvpExchangeDataItem").set("Name", "parvis-api").set("Data", "hello over thrift").build();
        run(vsms(), "AddKvpItems", Map.of("TargetSystem", new CimValue.Ref(vm), "DataItems", new CimValue.Instances(List.of(item))));
        CimInstance settings = client.query("SELECT * FROM Msvm_KvpExchangeComponentSettingData").getFirst();
        assertEquals("hello over thrift", items(settings.value("HostExchangeItems").orElseThrow()).get("parvis-api"));
        System.out.println("api: guest intrinsic KVP items " + intrinsic);
    }

    private static Map<String, String> items(CimValue v) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (CimInstance i : ((CimValue.Instances) v).value()) {
            out.put(i.text("Name").orElseThrow(), i.text("Data").orElse(""));
        }
        return out;
    }

    private CimInstance awaitInstance(String what, Supplier<List<CimInstance>> query, java.util.function.Predicate<CimInstance> done) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<CimInstance> hit = query.get().stream().filter(done).findFirst();
            if (hit.isPresent()) {
                return hit.get();
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        fail(what + " not reached within " + TIMEOUT);
        return null;
    }

    @Test
    @Order(5)
    void aFileInTheStorageDirectoryIsCopiedIntoTheGuest() throws Exception {
        byte[] data = new byte[256 * 1024];
        new Random(7).nextBytes(data);
        Path file = Files.write(host.storage().resolve("payload.bin"), data);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        ObjectPath service = awaitInstance("guest file service", () -> client.query("ASSOCIATORS OF {" + vm + "} WHERE ResultClass = "
                + "Msvm_GuestFileService"), i -> true).path();
        awaitInstance("guest service interface OK", () -> client.query("SELECT * FROM Msvm_GuestServiceInterfaceComponent"),
                i -> i.value("OperationalStatus").map(v -> v.equals(new CimValue.IntArray(List.of(2L)))).orElse(false));
        CimInstance copy = CimInstance.builder("Msvm_CopyFileToGuestSettingData").set("SourcePath", file.toString())
                .set("DestinationPath", "/payload.bin").set("OverwriteExisting", true).build();
        run(service, "CopyFilesToGuest", Map.of("CopyFileToGuestSettings", new CimValue.Instances(List.of(copy))));
        CimInstance kvp = awaitInstance("the guest's digest of the copy", () -> client.query("SELECT * FROM Msvm_KvpExchangeComponent"),
                i -> i.value("GuestExchangeItems").map(v -> items(v).containsKey("fcopy:payload.bin:sha256")).orElse(false));
        assertEquals(sha, items(kvp.value("GuestExchangeItems").orElseThrow()).get("fcopy:payload.bin:sha256").toLowerCase());
    }

    @Test
    @Order(6)
    void saveAndRestore() {
        requestState(6);
        assertEquals(6L, enabledState(), "Saved");
        requestState(2);
        assertEquals(2L, enabledState(), "Running again");
        awaitTransitions(List.of("2->32773", "32773->6", "6->10"));
    }

    @Test
    @Order(7)
    void stopShutsTheGuestDown() {
        awaitInstance("shutdown component OK", () -> client.query("SELECT * FROM Msvm_ShutdownComponent"),
                i -> i.value("OperationalStatus").map(v -> v.equals(new CimValue.IntArray(List.of(2L)))).orElse(false));
        requestState(4);
        assertEquals(3L, enabledState(), "Off");
        awaitTransitions(List.of("2->4", "4->3"));
    }

    @Test
    @Order(8)
    void destroyRemovesIt() {
        try (EventSubscription deleted = client.subscribe("SELECT * FROM __InstanceDeletionEvent WITHIN 1 WHERE TargetInstance ISA "
                + "'Msvm_ComputerSystem'")) {
            run(vsms(), "DestroySystem", Map.of("AffectedSystem", new CimValue.Ref(vm)));
            assertEquals(List.of(), client.query("SELECT * FROM Msvm_ComputerSystem WHERE ElementName = 'api-vm'"));
            CimEvent gone = deleted.poll(10, Duration.ofSeconds(10)).events().getFirst();
            assertEquals("api-vm", gone.target().text("ElementName").orElseThrow());
        }
    }
}
