package dev.parvis.devices.storvsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.devices.storvsp.protocol.ScsiRequest;
import dev.parvis.devices.storvsp.protocol.SrbStatus;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A save's quiesce waits until every admitted request's completion is in the guest's ring, not only
 * until its data moved: a request leaves the in-flight bound (its slot and buffers are released)
 * before its completion is written, and a completion may wait for ring space for as long as the guest
 * does not read.
 */
class StorVspQuiesceTest {

    @Test
    void aQuiesceWaitsForACompletionStillBeingWrittenAfterItsSlotWasFreed() throws Exception {
        GatedDisk disk = new GatedDisk(8 * 512);
        disk.open(0);
        StorVsp controller = new StorVsp(StorVsp.controllerInstance(0), 4);
        controller.attach(0, disk);
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch ringHasRoom = new CountDownLatch(1);
        AtomicInteger status = new AtomicInteger(-1);
        DirectChannel.Guest guest = (tx, completion) -> {
            status.set(completion.srbStatus());
            writing.countDown();
            awaitUninterruptibly(ringHasRoom); // the completion waits for the guest to free ring space
            return null;
        };
        try (DirectChannel channel = new DirectChannel(controller, guest)) {
            channel.send(1, DirectChannel.srb(0, Cdb.read10(0, 1), ScsiRequest.DATA_IN, 512), 512, false);
            assertTrue(writing.await(10, TimeUnit.SECONDS), "the read reached its completion");
            assertEquals(SrbStatus.SUCCESS.raw(), status.get());
            assertEquals(1, channel.closedBuffers.get(), "the request's buffers went back before its completion was written");
            assertFalse(controller.quiesce(Duration.ofMillis(200)),
                    "quiesce reported the channel idle while a completion was still being written");
            ringHasRoom.countDown();
            assertTrue(controller.quiesce(Duration.ofSeconds(10)), "quiesce ends once the completion is in the ring");
        } finally {
            ringHasRoom.countDown();
            controller.detachAll();
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
