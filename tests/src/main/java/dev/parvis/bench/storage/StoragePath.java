package dev.parvis.bench.storage;

import dev.parvis.abi.vmbus.DeviceClass;
import dev.parvis.abi.vmbus.OfferChannel;
import dev.parvis.devices.storvsp.StorVsp;
import dev.parvis.devices.storvsp.VhdxBackingDisk;
import dev.parvis.devices.storvsp.client.StorVsc;
import dev.parvis.devices.storvsp.protocol.ProtocolVersion;
import dev.parvis.devices.storvsp.protocol.ScsiRequest;
import dev.parvis.devices.storvsp.protocol.SrbStatus;
import dev.parvis.devices.storvsp.protocol.VstorPacket;
import dev.parvis.devices.vhdx.OpenOptions;
import dev.parvis.devices.vhdx.VhdxDisk;
import dev.parvis.vmbus.client.ClientChannel;
import dev.parvis.vmbus.client.GuestPages;
import dev.parvis.vmbus.client.VmbusClient;
import dev.parvis.vmbus.loopback.Loopback;
import dev.parvis.vmbus.loopback.LoopbackGuestMemory;
import dev.parvis.vmbus.server.ServerConfig;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

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
    /** Each slot's GPA-direct header: its pages never change, only the LBA does. */
    private final MemorySegment[] headers;

    public StoragePath(Path vhdx, int depth, int bytesPerRequest) throws Exception {
        disk = VhdxDisk.open(vhdx, OpenOptions.readWrite());
        controller.attach(0, new VhdxBackingDisk(disk, false));
        loopback = new Loopback(memory, ServerConfig.defaults(1), List.of(controller), Duration.ofSeconds(30));
        VmbusClient client = loopback.client();
        client.connect();
        OfferChannel offer = client.requestOffers().stream()
                .filter(o -> o.interfaceType().equals(DeviceClass.SCSI)).findFirst().orElseThrow();
        ClientChannel channel = client.open(offer, RING_PAGES, RING_PAGES);
        storvsc = StorVsc.polled(channel);
        storvsc.initialize(List.of(ProtocolVersion.WIN10));
        slots = new GuestPages[depth];
        headers = new MemorySegment[depth];
        int pages = Math.max(1, bytesPerRequest / 4096);
        for (int i = 0; i < depth; i++) {
            slots[i] = memory.allocate(pages);
            headers[i] = StorVsc.rangeHeader(Arrays.copyOf(slots[i].gpns(), pages), 0, bytesPerRequest);
        }
    }

    /**
     * Seconds to move {@code bytes} at each of {@code offsets} (reads when {@code read}), with every
     * slot's request in flight at once. One thread submits and reaps, as a storvsc whose completion
     * interrupt lands on the submitting processor: it fills every free slot, then reads the
     * completions waiting in the ring (sleeping until the host's signal when there are none).
     */
    public double run(long[] offsets, int bytes, boolean read) throws Exception {
        return run(offsets, bytes, read, 0);
    }

    /**
     * As {@link #run(long[], int, boolean)}, with a client that polls: it looks at the ring for its
     * completions for up to {@code spinNanos} before it asks the host for a signal and sleeps
     * ({@link StorVsc#reap(StorVsc.CompletionSink, long)}); 0 is the interrupt-driven client.
     */
    public double run(long[] offsets, int bytes, boolean read, long spinNanos) throws Exception {
        int depth = slots.length;
        int[] free = new int[depth];
        long[] slotOfTx = new long[depth];
        for (int i = 0; i < depth; i++) {
            free[i] = i;
        }
        int freeCount = depth;
        int direction = read ? ScsiRequest.DATA_IN : ScsiRequest.DATA_OUT;
        int blocks = bytes / 512;
        Reaped reaped = new Reaped(slotOfTx, free);
        long t0 = System.nanoTime();
        int next = 0;
        int done = 0;
        while (done < offsets.length) {
            while (freeCount > 0 && next < offsets.length) {
                int slot = free[--freeCount];
                byte[] cdb = ByteBuffer.allocate(16).put((byte) (read ? 0x88 : 0x8A)).put((byte) 0)
                        .putLong(offsets[next++] / 512).putInt(blocks).put((byte) 0).put((byte) 0).array();
                slotOfTx[slot] = storvsc.submit(storvsc.srb(0, cdb, direction, bytes), headers[slot]);
            }
            reaped.freed = freeCount;
            if (storvsc.reap(reaped, spinNanos) == 0) {
                throw new IllegalStateException("requests never completed");
            }
            done += reaped.freed - freeCount;
            freeCount = reaped.freed;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (reaped.failure != null) {
            throw new IllegalStateException("a request failed: " + reaped.failure);
        }
        return seconds;
    }

    /** Completions read by one {@link StorVsc#reap}: each frees its request's slot. */
    private static final class Reaped implements StorVsc.CompletionSink {
        private final long[] slotOfTx;
        private final int[] free;
        int freed;
        String failure;

        Reaped(long[] slotOfTx, int[] free) {
            this.slotOfTx = slotOfTx;
            this.free = free;
        }

        @Override
        public void completed(long transactionId, MemorySegment packet) {
            int slot = slotOf(transactionId);
            // The two status fields in place, as Linux's storvsc reads a completion; the whole SRB only to report one that failed.
            int status = VstorPacket.statusOf(packet).raw();
            MemorySegment srb = packet.asSlice(VstorPacket.HEADER_SIZE);
            if ((status != 0 || ScsiRequest.srbStatusOf(srb) != SrbStatus.SUCCESS.raw()) && failure == null) {
                failure = "transaction " + transactionId + ": status 0x" + Integer.toHexString(status) + ", " + ScsiRequest.read(srb);
            }
            free[freed++] = slot;
        }

        private int slotOf(long tx) {
            for (int i = 0; i < slotOfTx.length; i++) {
                if (slotOfTx[i] == tx) {
                    slotOfTx[i] = 0;
                    return i;
                }
            }
            throw new IllegalStateException("a completion for transaction " + tx + ", which is not in flight");
        }
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
