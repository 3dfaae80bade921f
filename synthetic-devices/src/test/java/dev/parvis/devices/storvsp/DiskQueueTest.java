package dev.parvis.devices.storvsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The disk's threads: every request submitted runs exactly once, and closing waits for the queued ones. */
class DiskQueueTest {

    @Test
    void everyRequestOfBurstsFromSeveralSubmittersRunsExactlyOnce() throws Exception {
        int perSubmitter = 20_000;
        AtomicIntegerArray ran = new AtomicIntegerArray(2 * perSubmitter);
        CountDownLatch all = new CountDownLatch(2 * perSubmitter);
        DiskQueue queue = new DiskQueue("burst");
        try {
            Thread[] submitters = new Thread[2];
            for (int s = 0; s < 2; s++) {
                int base = s * perSubmitter;
                submitters[s] = Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < perSubmitter; i++) {
                        int id = base + i;
                        assertTrue(queue.submit(() -> {
                            ran.incrementAndGet(id);
                            all.countDown();
                        }));
                        if (i % 64 == 63) {
                            Thread.yield(); // let the threads run dry and park between bursts
                        }
                    }
                });
            }
            for (Thread t : submitters) {
                t.join();
            }
            assertTrue(all.await(30, TimeUnit.SECONDS), "requests left unrun: " + all.getCount());
        } finally {
            queue.close();
        }
        for (int i = 0; i < ran.length(); i++) {
            assertEquals(1, ran.get(i), "request " + i);
        }
    }

    @Test
    void closeRunsTheQueuedRequestsThenRefusesNewOnes() throws Exception {
        DiskQueue queue = new DiskQueue("close");
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < DiskQueue.THREADS + 5; i++) {
            assertTrue(queue.submit(() -> {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ran.incrementAndGet();
            }));
        }
        Thread closer = Thread.ofPlatform().start(queue::close);
        closer.join(200);
        assertTrue(closer.isAlive(), "close waits while requests are held at the disk");
        gate.countDown();
        closer.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(closer.isAlive());
        assertEquals(DiskQueue.THREADS + 5, ran.get());
        assertFalse(queue.submit(ran::incrementAndGet), "a closed disk takes no more requests");
    }
}
