package dev.parvis.devices.storvsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.devices.storvsp.protocol.ScsiRequest;
import dev.parvis.devices.storvsp.protocol.SrbStatus;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A request refused after its GPA-direct buffer was mapped gives the buffer back (the device contract: close). */
class StorVspRefusedBufferTest {
    private static final int TOO_LARGE = StorVsp.MAX_TRANSFER_BYTES + 512;

    @Test
    void everyRequestRefusedAfterItsBufferWasMappedClosesTheBuffer() throws Exception {
        GatedDisk disk = new GatedDisk(1 << 20);
        StorVsp controller = new StorVsp(StorVsp.controllerInstance(0), 1);
        controller.attach(0, disk);
        Map<Long, Integer> statuses = new ConcurrentHashMap<>();
        try (DirectChannel c = new DirectChannel(controller, (tx, completion) -> {
            statuses.put(tx, completion.srbStatus());
            return null;
        })) {
            c.send(0, read(0, 1, ScsiRequest.DATA_IN), 512, false); // holds the channel's only slot at the disk
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (disk.waiting.get() < 1) {
                assertTrue(System.nanoTime() < deadline, "the first read reached the disk");
                Thread.sleep(2);
            }
            c.send(1, read(1, 2, ScsiRequest.DATA_IN), 512, false).get(10, TimeUnit.SECONDS); // length mismatch
            c.send(2, read(1, 1, ScsiRequest.DATA_OUT), 512, false).get(10, TimeUnit.SECONDS); // wrong direction
            c.send(3, read(1, TOO_LARGE / 512, ScsiRequest.DATA_IN), TOO_LARGE, false).get(10, TimeUnit.SECONDS);
            c.send(4, read(1, 1, ScsiRequest.DATA_IN), 512, false).get(10, TimeUnit.SECONDS); // past the bound
            for (long tx = 1; tx <= 3; tx++) {
                assertEquals(SrbStatus.INVALID_REQUEST.raw(), statuses.get(tx), "srb_status of transaction " + tx);
            }
            assertEquals(SrbStatus.BUSY.raw(), statuses.get(4L));
            assertEquals(5, c.mapped.get());
            assertEquals(4, c.closedBuffers.get(), "the refused requests' buffers are closed, the held one's not yet");
            disk.open(0);
            while (!statuses.containsKey(0L)) {
                assertTrue(System.nanoTime() < deadline, "the first read completed");
                Thread.sleep(2);
            }
            assertEquals(5, c.closedBuffers.get());
        } finally {
            disk.open(0);
            controller.detachAll();
        }
    }

    /** A READ(10) of {@code blocks} at {@code lba} whose SRB says {@code dataIn} and blocks * 512 bytes. */
    private static ScsiRequest read(long lba, int blocks, int dataIn) {
        return DirectChannel.srb(0, Cdb.read10(lba, blocks), dataIn, blocks * 512);
    }
}
