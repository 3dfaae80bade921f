package dev.parvis.devices.storvsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.devices.storvsp.protocol.ScsiRequest;
import dev.parvis.devices.storvsp.protocol.SrbStatus;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A request's slot of the per-channel in-flight bound is free by the time the guest can read its completion. */
class StorVspInFlightSlotTest {
    private static final int MAX_IN_FLIGHT = 2;
    private static final int REQUESTS = 64;
    private static final int BLOCKS = 8;

    /**
     * A guest that keeps exactly the maximum in flight, sending the next request from inside each
     * completion; every fourth request's buffer is gone before the disk thread runs it (the failure
     * path answers INVALID_REQUEST). Each completion arrives from a disk thread, and its next request
     * is handled before that thread goes on, so a slot still held then would answer BUSY.
     */
    @Test
    void aGuestKeepingTheMaximumInFlightAndResubmittingOnEachCompletionNeverSeesBusy() throws Exception {
        GatedDisk disk = new GatedDisk(BLOCKS * 512);
        for (int lba = 0; lba < BLOCKS; lba++) {
            disk.open(lba);
        }
        StorVsp controller = new StorVsp(StorVsp.controllerInstance(0), MAX_IN_FLIGHT);
        controller.attach(0, disk);
        Map<Long, Integer> statuses = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(REQUESTS);
        AtomicLong nextTx = new AtomicLong();
        DirectChannel[] channel = new DirectChannel[1];
        DirectChannel.Guest guest = (tx, completion) -> {
            statuses.put(tx, completion.srbStatus());
            done.countDown();
            long next = nextTx.getAndIncrement();
            return next < REQUESTS ? send(channel[0], next) : null;
        };
        try (DirectChannel c = new DirectChannel(controller, guest)) {
            channel[0] = c;
            for (int i = 0; i < MAX_IN_FLIGHT; i++) {
                send(c, nextTx.getAndIncrement());
            }
            assertTrue(done.await(30, TimeUnit.SECONDS), "every request completed");
            for (long tx = 0; tx < REQUESTS; tx++) {
                int expected = (tx % 4 == 3 ? SrbStatus.INVALID_REQUEST : SrbStatus.SUCCESS).raw();
                assertEquals(expected, statuses.get(tx), "srb_status of transaction " + tx);
            }
            assertEquals(REQUESTS, c.closedBuffers.get(), "every request's buffers were closed");
        } finally {
            controller.detachAll();
        }
    }

    private static Future<?> send(DirectChannel channel, long tx) {
        ScsiRequest read = DirectChannel.srb(0, Cdb.read10(tx % BLOCKS, 1), ScsiRequest.DATA_IN, 512);
        return channel.send(tx, read, 512, tx % 4 == 3);
    }
}
