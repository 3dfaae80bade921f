package dev.parvis.devices.storvsp.fuzz;

import dev.parvis.abi.vmbus.Guid;
import dev.parvis.abi.vmbus.OfferChannel;
import dev.parvis.devices.storvsp.StorVsp;
import dev.parvis.devices.storvsp.VhdxBackingDisk;
import dev.parvis.devices.vhdx.CreateRequest;
import dev.parvis.devices.vhdx.OpenOptions;
import dev.parvis.devices.vhdx.VhdxCreator;
import dev.parvis.devices.vhdx.VhdxDisk;
import dev.parvis.vmbus.client.VmbusClient;
import dev.parvis.vmbus.loopback.Loopback;
import dev.parvis.vmbus.loopback.LoopbackGuestMemory;
import dev.parvis.vmbus.server.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * What the storvsp fuzz test runs against: one VMBus server (loopback) with two controllers. The
 * fuzzed one holds three VHDX disks (8 MiB of 512-byte sectors, as large as one UNMAP descriptor may be, a 1 MiB one opened read-only, 2 MiB
 * of 4 KiB sectors) and lets 4 requests per channel be in flight, so BUSY is reached; the other
 * holds one disk that {@link SteadyReader} reads all along. The guest's data area is 640 pages.
 */
final class FuzzRig implements AutoCloseable {
    static final int MAX_IN_FLIGHT = 4;
    static final int DATA_AREA_PAGES = 640;
    private static final long STEADY_DISK = 1 << 20;

    final LoopbackGuestMemory memory = new LoopbackGuestMemory(7);
    final Loopback loopback;
    final StorVsp fuzzed = new StorVsp(StorVsp.controllerInstance(0), MAX_IN_FLIGHT);
    final StorVsp steady = new StorVsp(StorVsp.controllerInstance(1));
    final Map<Integer, ShadowDisk> luns = new TreeMap<>();
    final GuestDataArea area;
    final FuzzChannel channel;
    final SteadyReader reader;
    private final List<VhdxDisk> disks = new ArrayList<>();

    FuzzRig(Path dir, long seed) throws Exception {
        attach(fuzzed, dir, 0, CreateRequest.dynamic(8 << 20), false);
        attach(fuzzed, dir, 1, CreateRequest.dynamic(1 << 20), true);
        attach(fuzzed, dir, 2, CreateRequest.dynamic(2 << 20).withSectorSizes(4096, 4096), false);
        VhdxCreator.create(dir.resolve("steady.vhdx"), CreateRequest.dynamic(STEADY_DISK).withBlockSize(1 << 20));
        VhdxDisk steadyDisk = VhdxDisk.open(dir.resolve("steady.vhdx"), OpenOptions.readWrite());
        disks.add(steadyDisk);
        steady.attach(0, new VhdxBackingDisk(steadyDisk, false));
        loopback = new Loopback(memory, ServerConfig.defaults(2).withSendTimeout(Duration.ofSeconds(5)),
                List.of(fuzzed, steady), Duration.ofSeconds(10));
        VmbusClient client = loopback.client();
        client.connect();
        List<OfferChannel> offers = client.requestOffers();
        area = new GuestDataArea(memory, DATA_AREA_PAGES, new Random(seed));
        channel = new FuzzChannel(client, loopback.server(), offer(offers, fuzzed.instance()));
        reader = new SteadyReader(client.open(offer(offers, steady.instance()), 8, 8), memory.allocate(16), STEADY_DISK, seed);
    }

    private void attach(StorVsp controller, Path dir, int lun, CreateRequest request, boolean readOnly) throws Exception {
        Path file = dir.resolve("lun" + lun + ".vhdx");
        VhdxCreator.create(file, request.withBlockSize(1 << 20));
        VhdxDisk disk = VhdxDisk.open(file, readOnly ? OpenOptions.readOnly() : OpenOptions.readWrite());
        disks.add(disk);
        controller.attach(lun, new VhdxBackingDisk(disk, false));
        luns.put(lun, new ShadowDisk(lun, disk.size(), disk.logicalSectorSize(), disk.physicalSectorSize(), disk.readOnly()));
    }

    private static OfferChannel offer(List<OfferChannel> offers, Guid instance) {
        return offers.stream().filter(o -> o.interfaceInstance().equals(instance)).findFirst().orElseThrow();
    }

    @Override
    public void close() throws Exception {
        try {
            reader.close();
            loopback.close();
        } finally {
            fuzzed.detachAll();
            steady.detachAll();
            for (VhdxDisk d : disks) {
                d.close();
            }
            memory.close();
        }
    }
}
