package dev.parvis.bench.storage;

import dev.parvis.abi.vmbus.DeviceClass;
import dev.parvis.abi.vmbus.OfferChannel;
import dev.parvis.devices.storvsp.StorVsp;
import dev.parvis.devices.storvsp.VhdxBackingDisk;
import dev.parvis.devices.storvsp.client.StorVsc;
import dev.parvis.devices.storvsp.client.StorVscCompletion;
import dev.parvis.devices.storvsp.protocol.ProtocolVersion;
import dev.parvis.devices.storvsp.protocol.ScsiRequest;
import dev.parvis.devices.vhdx.OpenOptions;
import dev.parvis.devices.vhdx.VhdxDisk;
import dev.parvis.vmbus.client.ClientChannel;
import dev.parvis.vmbus.client.GuestPages;
import dev.parvis.vmbus.client.VmbusClient;
import dev.parvis.vmbus.loopback.Loopback;
import dev.parvis.vmbus.loopback.LoopbackGuestMemory;
import dev.parvis.vmbus.server.ServerConfig;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The whole Java storage path: the {@link StorVsc} client sends EXECUTE_SRB packets with GPA-direct
 * buffers over the VMBus {@link Loopback}; the server's channel turn hands them to {@link StorVsp},
 * whose disk threads read or write the VHDX file straight into the "guest" pages and complete them
 * out of order. {@link #run} keeps {@code depth} requests in flight, each with its own buffer.
 */
public final class StoragePath implements AutoCloseable {
    private static final int RING_PAGES = 64;

    private final LoopbackGuestMemory memory = new LoopbackGuestMemory(11);
    private final StorVsp controller = new StorVsp(StorVsp.controllerInstance(0));
    private final VhdxDisk disk;
    private final Loopback loopback;
    private final StorVsc storvsc;
    private final GuestPages[] slots;

    public StoragePath(Path vhdx, int depth, int bytesPerRequest) throws Exception {
        disk = VhdxDisk.open(vhdx, OpenOptions.readWrite());
        controller.attach(0, new VhdxBackingDisk(disk, false));
        loopback = new Loopback(memory, ServerConfig.defaults(1), List.of(controller), Duration.ofSeconds(30));
        VmbusClient client = loopback.client();
        client.connect();
        OfferChannel offer = client.requestOffers().stream()
                .filter(o -> o.interfaceType().equals(DeviceClass.SCSI)).findFirst().orElseThrow();
        ClientChannel channel = client.open(offer, RING_PAGES, RING_PAGES);
        storvsc = new StorVsc(channel);
        storvsc.initialize(List.of(ProtocolVersion.WIN10));
        slots = new GuestPages[depth];
        for (int i = 0; i < depth; i++) {
            slots[i] = memory.allocate(Math.max(1, bytesPerRequest / 4096));
        }
    }

    /**
     * Seconds to move {@code bytes} at each of {@code offsets} (reads when {@code read}), with every
     * slot's request in flight at once.
     */
    public double run(long[] offsets, int bytes, boolean read) throws Exception {
        BlockingQueue<Integer> free = new ArrayBlockingQueue<>(slots.length);
        for (int i = 0; i < slots.length; i++) {
            free.add(i);
        }
        AtomicReference<String> failure = new AtomicReference<>();
        int blocks = bytes / 512;
        long t0 = System.nanoTime();
        for (long offset : offsets) {
            int slot = free.take();
            long lba = offset / 512;
            byte[] cdb = ByteBuffer.allocate(16).put((byte) (read ? 0x88 : 0x8A)).put((byte) 0).putLong(lba)
                    .putInt(blocks).put((byte) 0).put((byte) 0).array();
            int direction = read ? ScsiRequest.DATA_IN : ScsiRequest.DATA_OUT;
            long[] pfns = Arrays.copyOf(slots[slot].gpns(), Math.max(1, bytes / 4096));
            CompletableFuture<StorVscCompletion> done = storvsc.execute(storvsc.srb(0, cdb, direction, bytes), pfns, 0, bytes);
            done.whenComplete((c, e) -> {
                if (e != null || !c.ok()) {
                    failure.compareAndSet(null, e != null ? e.toString() : c.toString());
                }
                free.add(slot);
            });
        }
        for (int i = 0; i < slots.length; i++) {
            if (free.poll(60, TimeUnit.SECONDS) == null) {
                throw new IllegalStateException("requests never completed");
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (failure.get() != null) {
            throw new IllegalStateException("a request failed: " + failure.get());
        }
        return seconds;
    }

    @Override
    public void close() throws Exception {
        storvsc.close();
        loopback.close();
        controller.detachAll();
        disk.close();
        memory.close();
    }
}
