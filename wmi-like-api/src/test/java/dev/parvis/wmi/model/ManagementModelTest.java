package dev.parvis.wmi.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.parvis.root.config.VmConfig;
import dev.parvis.root.vm.IllegalVmStateException;
import dev.parvis.root.vm.RequestProgress;
import dev.parvis.root.vm.VmManagementService.VmInfo;
import dev.parvis.root.vm.VmRequest;
import dev.parvis.root.vm.VmState;
import dev.parvis.wmi.cim.AccessDeniedException;
import dev.parvis.wmi.cim.CimEvent;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.InvalidParameterException;
import dev.parvis.wmi.cim.MethodResult;
import dev.parvis.wmi.cim.NotFoundException;
import dev.parvis.wmi.cim.ObjectPath;
import dev.parvis.wmi.cim.ReturnCode;
import dev.parvis.wmi.client.InProcessClient;
import dev.parvis.wmi.client.JobFailedException;
import dev.parvis.wmi.event.EventBatch;
import dev.parvis.wmi.event.Subscription;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mockito.ArgumentCaptor;

/** The object model over a Mockito mock of the VM management service. */
class ManagementModelTest {
    @TempDir
    Path tmp;

    private MockedService mocked;
    private ManagementModel model;
    private InProcessClient admin;
    private VmInfo web;
    private VmInfo db;

    @BeforeEach
    void setUp() throws Exception {
        mocked = new MockedService();
        web = mocked.add("web01", VmState.RUNNING);
        db = mocked.add("db01", VmState.OFF);
        model = mocked.model(tmp);
        admin = new InProcessClient(model, new Caller("alice", Role.ADMINISTRATOR));
    }

    @AfterEach
    void tearDown() {
        model.close();
    }

    @Test
    void everyVmAndTheHostAreComputerSystemsWithPublishedStateCodes() {
        List<CimInstance> all = admin.query("SELECT * FROM Msvm_ComputerSystem");
        assertEquals(3, all.size());
        CimInstance host = all.getFirst();
        assertEquals("Hosting Computer System", host.text("Caption").orElseThrow());
        List<CimInstance> vms = admin.query("SELECT ElementName, EnabledState FROM Msvm_ComputerSystem WHERE Caption = 'Virtual Machine'");
        assertEquals(List.of("web01:2", "db01:3"), vms.stream().map(i -> i.text("ElementName").orElseThrow() + ":"
                + i.integer("EnabledState").orElseThrow()).toList());
        assertEquals(List.of("CreationClassName", "Name", "ElementName", "EnabledState"), List.copyOf(vms.getFirst().properties().keySet()),
                "keys stay with a projection");
        assertEquals(web.id().toString().toUpperCase(), vms.getFirst().path().key("Name"));
    }

    @Test
    void unknownClassesAndPropertiesAreErrorsNotEmptyAnswers() {
        assertThrows(InvalidParameterException.class, () -> admin.query("SELECT * FROM Msvm_NoSuchClass"));
        assertThrows(InvalidParameterException.class, () -> admin.query("SELECT Bogus FROM Msvm_ComputerSystem"));
        assertThrows(InvalidParameterException.class, () -> admin.query("SELECT * FROM Msvm_ComputerSystem WHERE Bogus = 1"));
        assertThrows(NotFoundException.class, () -> admin.get(ObjectPaths.computerSystem(java.util.UUID.randomUUID())));
    }

    @Test
    void associationsNavigateBothWays() {
        ObjectPath vm = ObjectPaths.computerSystem(web.id());
        List<CimInstance> settings = admin.query("ASSOCIATORS OF {" + vm + "} WHERE ResultClass = Msvm_VirtualSystemSettingData");
        assertEquals(1, settings.size());
        CimInstance vssd = settings.getFirst();
        assertEquals("web01", vssd.text("ElementName").orElseThrow());
        List<CimInstance> back = admin.query("ASSOCIATORS OF {" + vssd.path() + "} WHERE AssocClass = Msvm_SettingsDefineState");
        assertEquals(List.of(vm), back.stream().map(CimInstance::path).toList());
        List<CimInstance> parts = admin.query("ASSOCIATORS OF {" + vssd.path() + "} WHERE AssocClass = Msvm_VirtualSystemSettingDataComponent");
        assertEquals(List.of("Msvm_ProcessorSettingData", "Msvm_MemorySettingData"), parts.stream().map(CimInstance::className).toList());
        assertEquals(16L, parts.get(1).integer("VirtualQuantity").orElseThrow());
        List<CimInstance> refs = admin.query("REFERENCES OF {" + vm + "} WHERE ResultClass = Msvm_SettingsDefineState");
        assertEquals(1, refs.size());
        assertEquals(new CimValue.Ref(vm), refs.getFirst().value("ManagedElement").orElseThrow());
        assertEquals(8, admin.query("ASSOCIATORS OF {" + vm + "} WHERE ResultClass = Msvm_AggregationMetricValue").size());
    }

    @Test
    void requestStateChangeHandsTheServiceItsRequestAsAJobWithProgress() throws Exception {
        CompletableFuture<VmState> started = new CompletableFuture<>();
        ArgumentCaptor<RequestProgress> progress = ArgumentCaptor.forClass(RequestProgress.class);
        when(mocked.service.request(eq(db.id()), eq(new VmRequest.Start()), progress.capture())).thenReturn(started);
        MethodResult r = admin.invoke(ObjectPaths.computerSystem(db.id()), "RequestStateChange", Map.of("RequestedState", CimValue.of(2)));
        assertEquals(ReturnCode.JOB_STARTED, r.returnValue());
        CimInstance job = admin.get(r.job().orElseThrow());
        assertEquals(12L, job.integer("JobType").orElseThrow());
        assertEquals(4L, job.integer("JobState").orElseThrow());
        awaitCaptured(progress);
        progress.getValue().report(60);
        assertEquals(60L, admin.get(r.job().get()).integer("PercentComplete").orElseThrow());
        started.complete(VmState.RUNNING);
        CimInstance done = admin.awaitJob(r, Duration.ofSeconds(5));
        assertEquals(7L, done.integer("JobState").orElseThrow());
        assertEquals(100L, done.integer("PercentComplete").orElseThrow());
        List<CimInstance> affected = admin.query("ASSOCIATORS OF {" + r.job().get() + "} WHERE AssocClass = Msvm_AffectedJobElement");
        assertEquals(List.of(ObjectPaths.computerSystem(db.id())), affected.stream().map(CimInstance::path).toList());
    }

    @Test
    void defineSystemWithStartDefinesAndStartsInOneRequestAndReturnsTheStartsJob() throws Exception {
        CompletableFuture<VmState> running = new CompletableFuture<>();
        ArgumentCaptor<VmConfig> defined = ArgumentCaptor.forClass(VmConfig.class);
        ArgumentCaptor<RequestProgress> progress = ArgumentCaptor.forClass(RequestProgress.class);
        when(mocked.service.createAndStart(defined.capture(), progress.capture()))
                .thenAnswer(i -> new dev.parvis.root.vm.VmManagementService.Created(new VmInfo(i.getArgument(0), VmState.OFF), running));
        CimInstance vssd = CimInstance.builder("Msvm_VirtualSystemSettingData").set("ElementName", "app02").set("GuestImage", "icdaemon").build();
        MethodResult r = admin.invoke(vsms(), "DefineSystem", Map.of("SystemSettings", new CimValue.Instances(List.of(vssd)),
                "Start", new CimValue.Bool(true)));
        assertEquals(ReturnCode.JOB_STARTED, r.returnValue());
        assertEquals(new CimValue.Ref(ObjectPaths.computerSystem(defined.getValue().id())), r.outParameters().get("ResultingSystem"));
        verify(mocked.service, never()).create(any());
        assertEquals(12L, admin.get(r.job().orElseThrow()).integer("JobType").orElseThrow(), "the job is the start");
        progress.getValue().report(60);
        for (int i = 0; i < 500 && admin.get(r.job().get()).integer("PercentComplete").orElseThrow() < 60; i++) {
            Thread.sleep(5);
        }
        assertEquals(60L, admin.get(r.job().get()).integer("PercentComplete").orElseThrow(), "the start's steps reach its job");
        assertEquals(4L, admin.get(r.job().get()).integer("JobState").orElseThrow(), "running until the VM is");
        running.complete(VmState.RUNNING);
        assertEquals(7L, admin.awaitJob(r, Duration.ofSeconds(5)).integer("JobState").orElseThrow());
    }

    private static void awaitCaptured(ArgumentCaptor<?> captor) throws InterruptedException {
        for (int i = 0; i < 500 && captor.getAllValues().isEmpty(); i++) {
            Thread.sleep(5);
        }
    }

    @Test
    void aRefusalOfTheServiceEndsTheJobWithInvalidState() {
        when(mocked.service.request(eq(web.id()), eq(new VmRequest.Start()), any())).thenReturn(
                CompletableFuture.failedFuture(new IllegalVmStateException("web01", VmState.RUNNING, "Start-VM")));
        MethodResult r = admin.invoke(ObjectPaths.computerSystem(web.id()), "RequestStateChange", Map.of("RequestedState", CimValue.of(2)));
        JobFailedException e = assertThrows(JobFailedException.class, () -> admin.awaitJob(r, Duration.ofSeconds(5)));
        assertEquals(ReturnCode.INVALID_STATE, e.code());
        assertTrue(e.getMessage().contains("Running"), e.getMessage());
        MethodResult bad = admin.invoke(ObjectPaths.computerSystem(web.id()), "RequestStateChange", Map.of("RequestedState", CimValue.of(77)));
        assertEquals(ReturnCode.INVALID_PARAMETER, bad.returnValue());
    }

    @Test
    void eachRequestedStateMapsToItsRequest() throws Exception {
        when(mocked.service.request(any(), any(), any())).thenReturn(CompletableFuture.completedFuture(VmState.OFF));
        Map<Integer, VmRequest> expected = Map.of(3, new VmRequest.TurnOff(), 4, new VmRequest.Stop(), 6, new VmRequest.Save(),
                9, new VmRequest.Pause());
        for (Map.Entry<Integer, VmRequest> e : expected.entrySet()) {
            admin.awaitJob(admin.invoke(ObjectPaths.computerSystem(web.id()), "RequestStateChange",
                    Map.of("RequestedState", CimValue.of(e.getKey()))), Duration.ofSeconds(5));
            verify(mocked.service).request(eq(web.id()), eq(e.getValue()), any());
        }
    }

    @Test
    void defineSystemBuildsAConfigAndModifyResourceSettingsChangesIt() throws Exception {
        ArgumentCaptor<VmConfig> defined = ArgumentCaptor.forClass(VmConfig.class);
        when(mocked.service.create(defined.capture())).thenAnswer(i -> new VmInfo(i.getArgument(0), VmState.OFF));
        CimInstance vssd = CimInstance.builder("Msvm_VirtualSystemSettingData").set("ElementName", "app01").set("GuestImage", "icdaemon")
                .set("Notes", "first").set("AutomaticShutdownAction", 2)
                .set("IntegrationServices", new CimValue.TextArray(List.of("Heartbeat", "Key-Value Pair Exchange"))).build();
        CimInstance memory = CimInstance.builder("Msvm_MemorySettingData").set("VirtualQuantity", 32).build();
        CimInstance cpu = CimInstance.builder("Msvm_ProcessorSettingData").set("VirtualQuantity", 2).set("Limit", 50_000).build();
        MethodResult r = admin.invoke(vsms(), "DefineSystem", Map.of("SystemSettings", new CimValue.Instances(List.of(vssd)),
                "ResourceSettings", new CimValue.Instances(List.of(memory, cpu))));
        assertEquals(ReturnCode.COMPLETED, r.returnValue());
        VmConfig c = defined.getValue();
        assertEquals("app01", c.name());
        assertEquals(32, c.memoryMiB());
        assertEquals(2, c.vcpuCount());
        assertEquals(50, c.cpu().limitPercent());
        assertEquals("first", c.notes());
        assertEquals(dev.parvis.root.config.AutomaticStopAction.TURN_OFF, c.automaticStopAction());
        assertEquals(List.of(new dev.parvis.root.config.DeviceConfig.IntegrationServices(true, false, false, true, false)), c.devices());
        assertEquals(new CimValue.Ref(ObjectPaths.computerSystem(c.id())), r.outParameters().get("ResultingSystem"));

        when(mocked.service.request(any(), any(), any())).thenReturn(CompletableFuture.completedFuture(VmState.OFF));
        CimInstance proc = admin.query("ASSOCIATORS OF {" + ObjectPaths.computerSystem(db.id()) + "} WHERE ResultClass = "
                + "Msvm_VirtualSystemSettingData").getFirst();
        CimInstance procSettings = admin.query("ASSOCIATORS OF {" + proc.path() + "} WHERE ResultClass = Msvm_ProcessorSettingData").getFirst();
        CimInstance edited = new CimInstance(procSettings.path(), Map.of("VirtualQuantity", CimValue.of(4), "Weight", CimValue.of(300)));
        admin.awaitJob(admin.invoke(vsms(), "ModifyResourceSettings", Map.of("ResourceSettings", new CimValue.Instances(List.of(edited)))),
                Duration.ofSeconds(5));
        ArgumentCaptor<VmRequest> req = ArgumentCaptor.forClass(VmRequest.class);
        verify(mocked.service).request(eq(db.id()), req.capture(), any());
        VmConfig next = ((VmRequest.Configure) req.getValue()).config();
        assertEquals(4, next.vcpuCount());
        assertEquals(300, next.cpu().weight());
        assertEquals(db.config().memoryMiB(), next.memoryMiB());
    }

    @Test
    void addAndRemoveResourceSettingsAttachAndDetachDisksByControllerAndLun() throws Exception {
        Path file = java.nio.file.Files.createDirectories(tmp.resolve("storage")).resolve("data.vhdx");
        java.nio.file.Files.writeString(file, "a disk, as far as the model can tell");
        when(mocked.service.request(any(), any())).thenReturn(CompletableFuture.completedFuture(VmState.RUNNING));
        CimInstance vssd = admin.query("ASSOCIATORS OF {" + ObjectPaths.computerSystem(web.id()) + "} WHERE ResultClass = "
                + "Msvm_VirtualSystemSettingData").getFirst();
        CimInstance sasd = CimInstance.builder("Msvm_StorageAllocationSettingData").set("HostResource",
                new CimValue.TextArray(List.of("data.vhdx"))).set("Address", "1").set("AddressOnParent", "5").set("Access", 1).build();
        admin.awaitJob(admin.invoke(vsms(), "AddResourceSettings", Map.of("AffectedConfiguration", new CimValue.Ref(vssd.path()),
                "ResourceSettings", new CimValue.Instances(List.of(sasd)))), Duration.ofSeconds(5));
        verify(mocked.service).request(web.id(), new VmRequest.AttachDisk(
                new dev.parvis.root.config.DeviceConfig.Disk(file.toRealPath().toString(), 1, 5, true)));

        ObjectPath drive = ObjectPaths.setting("Msvm_StorageAllocationSettingData", web.id(), "Disk\\1\\5");
        admin.awaitJob(admin.invoke(vsms(), "RemoveResourceSettings", Map.of("ResourceSettings",
                new CimValue.TextArray(List.of(drive.toString())))), Duration.ofSeconds(5));
        verify(mocked.service).request(web.id(), new VmRequest.DetachDisk(1, 5));

        CimInstance badLun = CimInstance.builder("Msvm_StorageAllocationSettingData").set("HostResource",
                new CimValue.TextArray(List.of("data.vhdx"))).set("AddressOnParent", "64").build();
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> admin.invoke(vsms(), "AddResourceSettings",
                Map.of("AffectedConfiguration", new CimValue.Ref(vssd.path()), "ResourceSettings", new CimValue.Instances(List.of(badLun)))));
        assertTrue(e.getMessage().contains("AddressOnParent (LUN) 64 is outside 0-63"), e.getMessage());
    }

    @Test
    void namesOfFilesFromCallersStayInsideTheStorageDirectories() throws Exception {
        CimInstance escape = CimInstance.builder("Msvm_VirtualSystemSettingData").set("ElementName", "x").set("GuestImage", "/dev/zero").build();
        assertThrows(AccessDeniedException.class, () -> admin.invoke(vsms(), "DefineSystem",
                Map.of("SystemSettings", new CimValue.Instances(List.of(escape)))));
        CimInstance unknown = CimInstance.builder("Msvm_VirtualSystemSettingData").set("ElementName", "x").set("GuestImage", "../../etc").build();
        assertThrows(AccessDeniedException.class, () -> admin.invoke(vsms(), "DefineSystem",
                Map.of("SystemSettings", new CimValue.Instances(List.of(unknown)))));
        verify(mocked.service, never()).create(any());
        CimInstance disk = CimInstance.builder("Msvm_VirtualHardDiskSettingData").set("Path", "/tmp/evil.vhdx").set("MaxInternalSize", 1 << 20).build();
        ObjectPath ims = ObjectPaths.hostService("Msvm_ImageManagementService", "vhdsvc", "testhost");
        assertThrows(AccessDeniedException.class, () -> admin.invoke(ims, "CreateVirtualHardDisk",
                Map.of("VirtualDiskSettingData", new CimValue.Instances(List.of(disk)))));
    }

    @Test
    void diskMethodsSayNotSupportedOnAHostWithoutDiskSupport() throws Exception {
        ObjectPath ims = ObjectPaths.hostService("Msvm_ImageManagementService", "vhdsvc", "testhost");
        CimInstance disk = CimInstance.builder("Msvm_VirtualHardDiskSettingData").set("Path", tmp.resolve("storage/new.vhdx").toString())
                .set("MaxInternalSize", 1 << 20).build();
        MethodResult r = admin.invoke(ims, "CreateVirtualHardDisk", Map.of("VirtualDiskSettingData", new CimValue.Instances(List.of(disk))));
        assertEquals(ReturnCode.NOT_SUPPORTED, r.returnValue());
        assertTrue(r.outParameters().get("ErrorDescription").display().contains("not supported on this host yet"));
        Files.writeString(tmp.resolve("storage/old.vhdx"), "x");
        assertEquals(ReturnCode.NOT_SUPPORTED, admin.invoke(ims, "ResizeVirtualHardDisk",
                Map.of("Path", CimValue.of(tmp.resolve("storage/old.vhdx").toString()), "MaxInternalSize", CimValue.of(2 << 20))).returnValue());
    }

    @Test
    void withADiskServiceCreateVirtualHardDiskRunsAsAJobOnTheConfinedPath() throws Exception {
        dev.parvis.root.storage.VirtualDiskService disks = org.mockito.Mockito.mock(dev.parvis.root.storage.VirtualDiskService.class);
        when(disks.supported()).thenReturn(true);
        org.mockito.Mockito.doAnswer(i -> {
            ((RequestProgress) i.getArgument(1)).report(50);
            return null;
        }).when(disks).create(any(), any());
        try (ManagementModel withDisks = mocked.model(tmp.resolve("d"), disks)) {
            InProcessClient c = new InProcessClient(withDisks, Caller.HOST);
            ObjectPath ims = ObjectPaths.hostService("Msvm_ImageManagementService", "vhdsvc", "testhost");
            String file = tmp.resolve("d/storage/sub/../new.vhdx").toString();
            CimInstance disk = CimInstance.builder("Msvm_VirtualHardDiskSettingData").set("Path", file).set("Type", 3)
                    .set("MaxInternalSize", 1L << 30).build();
            CimInstance job = c.awaitJob(c.invoke(ims, "CreateVirtualHardDisk",
                    Map.of("VirtualDiskSettingData", new CimValue.Instances(List.of(disk)))), Duration.ofSeconds(5));
            assertEquals(7L, job.integer("JobState").orElseThrow());
            ArgumentCaptor<dev.parvis.root.storage.VirtualDiskSettings> settings =
                    ArgumentCaptor.forClass(dev.parvis.root.storage.VirtualDiskSettings.class);
            verify(disks).create(settings.capture(), any());
            assertEquals(tmp.resolve("d/storage").toRealPath().resolve("new.vhdx"), settings.getValue().path());
            assertEquals(dev.parvis.root.storage.VirtualDiskSettings.Type.DYNAMIC, settings.getValue().type());
            assertEquals(1L << 30, settings.getValue().maxInternalSize());
        }
    }

    @Test
    void aReaderMayQueryButNotInvoke() {
        InProcessClient reader = new InProcessClient(model, new Caller("bob", Role.READER));
        assertEquals(3, reader.query("SELECT * FROM Msvm_ComputerSystem").size());
        assertThrows(AccessDeniedException.class, () -> reader.invoke(ObjectPaths.computerSystem(web.id()), "RequestStateChange",
                Map.of("RequestedState", CimValue.of(3))));
        assertThrows(AccessDeniedException.class, () -> reader.invoke(ObjectPath.of("Msvm_Nothing", "Name", "x"), "Anything", Map.of()),
                "refused before the target is looked up");
    }

    @Test
    void modificationEventsCarryEachTransitionWithItsPreviousInstance() throws Exception {
        Subscription s = model.subscribe(Caller.HOST, "SELECT * FROM __InstanceModificationEvent WITHIN 5 WHERE TargetInstance ISA "
                + "'Msvm_ComputerSystem' AND TargetInstance.EnabledState <> PreviousInstance.EnabledState");
        Subscription created = model.subscribe(Caller.HOST, "SELECT * FROM __InstanceCreationEvent WITHIN 5 WHERE TargetInstance ISA "
                + "'Msvm_ComputerSystem'");
        mocked.transition(db.id(), VmState.STARTING);
        mocked.transition(db.id(), VmState.RUNNING);
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (seen.size() < 2 && System.nanoTime() < deadline) {
            for (CimEvent e : s.poll(10, Duration.ofSeconds(1)).events()) {
                seen.add(e.previous().orElseThrow().integer("EnabledState").orElseThrow() + "->" + e.target().integer("EnabledState").orElseThrow());
            }
        }
        assertEquals(List.of("3->10", "10->2"), seen);
        VmInfo fresh = mocked.add("new01", VmState.OFF);
        mocked.publish(new dev.parvis.root.vm.VmEvent.ConfigChanged(fresh.id(), java.time.Instant.now()));
        EventBatch c = firstBatch(created);
        assertEquals("new01", c.events().getFirst().target().text("ElementName").orElseThrow());
        // Subscribed once new01 exists: its baseline (taken on the hub thread before subscribe returns)
        // holds new01. Subscribed earlier, its first look could run after the removal below, in the
        // same hub pass that reported the creation, and never see new01 at all.
        Subscription deleted = model.subscribe(Caller.HOST, "SELECT * FROM __InstanceDeletionEvent WITHIN 5 WHERE TargetInstance ISA "
                + "'Msvm_ComputerSystem'");
        mocked.remove(fresh.id());
        EventBatch d = firstBatch(deleted);
        assertEquals(CimEvent.Kind.DELETION, d.events().getFirst().kind());
        assertEquals("new01", d.events().getFirst().target().text("ElementName").orElseThrow());
        s.close();
        assertTrue(model.subscription(s.id()).isEmpty());
    }

    /**
     * The first non-empty batch: WITHIN 5 events come from a poll of the model every 5 s, and a
     * loaded host may run that poll late, so one 5-second wait is not proof that none came.
     */
    private static EventBatch firstBatch(Subscription sub) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        EventBatch b = sub.poll(10, Duration.ofSeconds(5));
        while (b.events().isEmpty() && System.nanoTime() < deadline) {
            b = sub.poll(10, Duration.ofSeconds(5));
        }
        return b;
    }

    @Test
    void subscribeTakesOnlyEventQueriesWithKnownProperties() {
        assertThrows(InvalidParameterException.class, () -> model.subscribe(Caller.HOST, "SELECT * FROM Msvm_ComputerSystem"));
        assertThrows(InvalidParameterException.class, () -> model.subscribe(Caller.HOST,
                "SELECT * FROM __InstanceModificationEvent WITHIN 1 WHERE TargetInstance ISA 'Msvm_ComputerSystem' AND TargetInstance.Nope = 1"));
        assertThrows(InvalidParameterException.class, () -> admin.query(
                "SELECT * FROM __InstanceModificationEvent WITHIN 1 WHERE TargetInstance ISA 'Msvm_ComputerSystem'"));
        assertInstanceOf(Subscription.class, model.subscribe(Caller.HOST,
                "SELECT * FROM __InstanceModificationEvent WITHIN 1 WHERE TargetInstance ISA 'Msvm_ConcreteJob'"));
    }

    private static ObjectPath vsms() {
        return ObjectPaths.hostService("Msvm_VirtualSystemManagementService", "vmms", "testhost");
    }
}
