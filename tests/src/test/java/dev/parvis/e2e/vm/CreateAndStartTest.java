package dev.parvis.e2e.vm;

import static dev.parvis.e2e.vm.VmFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.e2e.OnEachBackend;
import dev.parvis.hv.memory.PoolStatistics;
import dev.parvis.hv.partition.Partition;
import dev.parvis.hv.partition.PartitionState;
import dev.parvis.root.config.ConfigLoad;
import dev.parvis.root.config.VmConfig;
import dev.parvis.root.vm.VmEvent;
import dev.parvis.root.vm.VmException;
import dev.parvis.root.vm.VmManagementService;
import dev.parvis.root.vm.VmState;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * New-VM -Start ({@link VmManagementService#createAndStart}): the partition is built while the
 * configuration is written, but the guest runs, and the VM is listed, Starting or Running, only once
 * the configuration is durable; a configuration that cannot be written leaves no VM and no partition.
 * The configuration write is held back by holding the store's monitor (its methods are serialized).
 */
@OnEachBackend
class CreateAndStartTest {
    @TempDir
    Path dataDir;

    @Test
    void theGuestRunsAndTheVmShowsOnlyOnceItsConfigurationIsDurable() throws Exception {
        try (VmFixture f = new VmFixture(dataDir, 96L << 20)) {
            VmConfig config = VmFixture.counterVm("both", 16);
            AtomicInteger reached = new AtomicInteger();
            CompletableFuture<VmManagementService.Created> created = whileTheWriteIsHeld(f, config, reached, () -> {
                Thread.sleep(200);
                assertEquals(90, reached.get(), "the start waits for the configuration before the guest's first instruction");
                assertEquals(List.of(PartitionState.INITIALIZED), childStates(f), "the partition is built, not finalized");
                assertTrue(f.service.get(config.id()).isEmpty() && f.service.get("both").isEmpty(), "not listed before it is durable");
                assertTrue(f.events.isEmpty(), "no event before the configuration is durable: " + f.events);
                assertThrows(VmException.class, () -> f.service.create(VmFixture.counterVm("both", 16)), "its name is taken");
            });
            VmManagementService.Created vm = await(created);
            assertInstanceOf(ConfigLoad.Loaded.class, f.store.load(config.id()), "durable when New-VM returns");
            assertInstanceOf(VmState.Running.class, await(vm.running()));
            f.awaitCounterAbove(config.id(), f.counterGpa(config.id()), 0);
            f.awaitEvents(() -> f.transitions(config.id()).size() == 2);
            assertEquals(List.of("Off->Starting", "Starting->Running"), f.transitions(config.id()));
            assertInstanceOf(VmEvent.ConfigChanged.class, f.events.getFirst(), "the VM is announced before its start: " + f.events);
        }
    }

    @Test
    void aConfigurationThatCannotBeWrittenLeavesNoVmAndNoPartition() throws Exception {
        try (VmFixture f = new VmFixture(dataDir, 96L << 20)) {
            PoolStatistics before = f.hv.pool().statistics();
            int partitionsBefore = f.hv.partitions().all().size();
            VmConfig config = VmFixture.counterVm("lost", 16);
            CompletableFuture<VmManagementService.Created> created = whileTheWriteIsHeld(f, config, new AtomicInteger(),
                    () -> Files.writeString(dataDir.resolve("vms"), "not a directory")); // the store cannot make the VM's directory
            Exception e = assertThrows(Exception.class, () -> await(created));
            assertInstanceOf(UncheckedIOException.class, e, "New-VM fails as the store failed");
            VmFixture.until(() -> f.hv.partitions().all().size() == partitionsBefore && before.equals(f.hv.pool().statistics()),
                    "the half-built partition deleted and every page of it back in the root");
            assertTrue(f.service.list().isEmpty(), "no VM");
            assertTrue(f.events.isEmpty(), "nothing announced for a VM that never existed: " + f.events);

            Files.delete(dataDir.resolve("vms"));
            VmManagementService.Created again = f.service.createAndStart(config, p -> { });
            assertInstanceOf(VmState.Running.class, await(again.running()), "the name and id are free again");
        }
    }

    @Test
    void aStartThatFailsLeavesTheCreatedVmOff() throws Exception {
        try (VmFixture f = new VmFixture(dataDir, 96L << 20)) {
            VmConfig config = VmConfig.create("no-image", "no-such-guest").withMemoryMiB(16);
            VmManagementService.Created vm = f.service.createAndStart(config, p -> { });
            assertInstanceOf(ConfigLoad.Loaded.class, f.store.load(config.id()), "New-VM's part is done and durable");
            VmException e = assertThrows(VmException.class, () -> await(vm.running()));
            assertTrue(e.getMessage().contains("cannot start"), e.getMessage());
            assertInstanceOf(VmState.Off.class, f.service.get(config.id()).orElseThrow().state());
            f.awaitEvents(() -> f.events.stream().anyMatch(ev -> ev instanceof VmEvent.Failed));
            assertInstanceOf(VmEvent.ConfigChanged.class, f.events.getFirst(), "the VM is announced before its failed start");
        }
    }

    @Test
    void aServiceClosedWhileTheConfigurationIsWrittenKeepsTheVmDefinedButNeverRunsIt() throws Exception {
        try (VmFixture f = new VmFixture(dataDir, 96L << 20)) {
            int partitionsBefore = f.hv.partitions().all().size();
            VmConfig config = VmFixture.counterVm("late", 16);
            CompletableFuture<VmManagementService.Created> created = whileTheWriteIsHeld(f, config, new AtomicInteger(),
                    f.service::close);
            VmManagementService.Created vm = await(created);
            assertInstanceOf(ConfigLoad.Loaded.class, f.store.load(config.id()), "New-VM's part is done and durable");
            VmException e = assertThrows(VmException.class, () -> await(vm.running()));
            assertTrue(e.getMessage().contains("host stopped"), e.getMessage());
            VmFixture.until(() -> f.hv.partitions().all().size() == partitionsBefore, "the half-built partition deleted");
            assertTrue(f.events.stream().noneMatch(ev -> ev instanceof VmEvent.StateChanged), "it never showed Starting: " + f.events);
        }
    }

    /** Something a test does while it holds the configuration write back. */
    private interface WhileHeld {
        void run() throws Exception;
    }

    /**
     * Starts createAndStart on another thread with the store held, waits until the start has built
     * the partition and attached VMBus (progress 90), runs {@code whileHeld}, then lets the write go.
     */
    private static CompletableFuture<VmManagementService.Created> whileTheWriteIsHeld(VmFixture f, VmConfig config,
            AtomicInteger reached, WhileHeld whileHeld) throws Exception {
        synchronized (f.store) {
            CompletableFuture<VmManagementService.Created> created = CompletableFuture.supplyAsync(
                    () -> f.service.createAndStart(config, p -> reached.accumulateAndGet(p, Math::max)));
            VmFixture.until(() -> reached.get() >= 90, "the partition built and its VMBus attached");
            whileHeld.run();
            return created;
        }
    }

    private static List<PartitionState> childStates(VmFixture f) {
        return f.hv.partitions().all().stream().filter(p -> !p.isRoot()).map(Partition::state).toList();
    }
}
