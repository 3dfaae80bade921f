package dev.parvis.root.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.hv.synic.RootInbox;
import dev.parvis.root.loader.ChildChannels;
import dev.parvis.vmcore.RootSynic;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The router's threads serve every VM: an error in one VM's handler does not stop the others'
 * intercepts; and a teardown can wait until a child's last messages are handed over.
 */
class RootMessageRouterTest {
    private static HvMessage intercept(long partition) {
        return new HvMessage(HvMessageType.UNRECOVERABLE_EXCEPTION, (byte) 0, partition, new byte[48]);
    }

    @Test
    void anErrorInOneVmsHandlerLeavesTheRouterServingTheOthers() throws Exception {
        RootInbox inbox = new RootInbox();
        LinkedBlockingQueue<HvMessage> delivered = new LinkedBlockingQueue<>();
        try (RootMessageRouter router = new RootMessageRouter(inbox)) {
            router.register(10, m -> {
                throw new OutOfMemoryError("Java heap space (test)");
            }, m -> { });
            router.register(11, delivered::add, m -> { });
            for (int round = 0; round < 3; round++) {
                inbox.postMessage(10, RootSynic.INTERCEPT_SINT, intercept(10));
                inbox.postMessage(11, RootSynic.INTERCEPT_SINT, intercept(11));
                HvMessage m = delivered.poll(10, TimeUnit.SECONDS);
                assertEquals(11, m == null ? -1 : m.sender(), "round " + round + ": the other VM's intercept is routed");
            }
        }
    }

    @Test
    void awaitingLastMessagesReturnsOnlyOnceEveryMessageThePartitionPostedIsHandedOver() throws Exception {
        RootInbox inbox = new RootInbox();
        CountDownLatch handlerEntered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger delivered = new AtomicInteger();
        try (RootMessageRouter router = new RootMessageRouter(inbox)) {
            router.register(10, m -> { }, m -> {
                handlerEntered.countDown();
                awaitQuietly(release);
                delivered.incrementAndGet();
            });
            long port = ChildChannels.of(10).rootMessagePortId();
            for (int i = 0; i < 3; i++) {
                inbox.postMessage(10, ChildChannels.ROOT_MESSAGE_SINT, new HvMessage(new HvMessageType(1), (byte) 0, port, new byte[4]));
            }
            assertTrue(handlerEntered.await(10, TimeUnit.SECONDS), "the router took the first message");
            AtomicInteger deliveredWhenDone = new AtomicInteger(-1);
            Thread teardown = Thread.ofPlatform().start(() -> {
                router.awaitLastMessages(10);
                deliveredWhenDone.set(delivered.get());
            });
            // Released only once the teardown is waiting (or, were it not to wait, already done).
            while (teardown.getState() == Thread.State.RUNNABLE || teardown.getState() == Thread.State.NEW) {
                Thread.onSpinWait();
            }
            release.countDown();
            teardown.join(10_000);
            assertEquals(3, deliveredWhenDone.get(), "messages handed over when the wait returned");
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
