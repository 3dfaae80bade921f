package dev.parvis.hv.synic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HvStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every root SINT queue is shared by all children, each with its own bounded share, served in turn. */
class RootInboxTest {
    private static final int DEPTH = 4;
    private static final int SINT = 2;
    private final RootInbox inbox = new RootInbox(DEPTH);

    private static HvMessage message(long from, int n) {
        return new HvMessage(new HvMessageType(1), (byte) 0, from, new byte[] {(byte) n});
    }

    private String take() throws InterruptedException {
        HvMessage m = inbox.take(SINT, Duration.ZERO).orElseThrow();
        return m.sender() + ":" + m.payload()[0];
    }

    @Test
    void aChildThatFillsItsShareIsRefusedWhileOthersStillGetIn() {
        for (int i = 0; i < DEPTH; i++) {
            assertEquals(HvStatus.SUCCESS, inbox.postMessage(10, SINT, message(10, i)));
        }
        assertEquals(HvStatus.INSUFFICIENT_BUFFERS, inbox.postMessage(10, SINT, message(10, 99)));
        assertEquals(HvStatus.SUCCESS, inbox.postMessage(11, SINT, message(11, 0)), "another child's share is untouched");
        assertEquals(HvStatus.SUCCESS, inbox.postMessage(10, SINT + 1, message(10, 0)), "and so is the flooder's share of another SINT");
        assertEquals(DEPTH, inbox.queued(SINT, 10));
    }

    @Test
    void childrenAreServedInTurnAndEachChildsMessagesInOrder() throws Exception {
        for (int i = 0; i < DEPTH; i++) {
            inbox.postMessage(10, SINT, message(10, i));
        }
        inbox.postMessage(11, SINT, message(11, 0));
        inbox.postMessage(11, SINT, message(11, 1));
        List<String> order = new ArrayList<>();
        for (int i = 0; i < DEPTH + 2; i++) {
            order.add(take());
        }
        assertEquals(List.of("10:0", "11:0", "10:1", "11:1", "10:2", "10:3"), order);
        assertTrue(inbox.poll(SINT).isEmpty());
    }

    @Test
    void takingAMessageTellsWhoseShareHasRoomAndADeletedChildsMessagesGo() throws Exception {
        List<String> freed = new ArrayList<>();
        inbox.setSpaceListener((sint, child) -> freed.add(sint + "/" + child));
        inbox.postMessage(10, SINT, message(10, 0));
        inbox.postMessage(12, SINT, message(12, 0));
        take();
        assertEquals(List.of(SINT + "/10"), freed);
        inbox.forgetChild(12);
        assertTrue(inbox.poll(SINT).isEmpty(), "the deleted child's message is gone");
        assertEquals(0, inbox.queued(SINT, 12));
    }

    /**
     * A save reads what the root has not taken yet and then what the root's workers hold: a message
     * taken from the queue but not yet in a worker's hands would be in neither, and lost.
     */
    @Test
    void aMessageBeingTakenIsAlwaysEitherStillQueuedOrAlreadyHandedOver() throws Exception {
        inbox.postMessage(10, SINT, message(10, 7));
        java.util.Queue<HvMessage> hands = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicReference<String> seen = new java.util.concurrent.atomic.AtomicReference<>();
        Thread[] looker = new Thread[1];
        boolean took = inbox.takeInto(SINT, Duration.ZERO, m -> {
            looker[0] = Thread.ofPlatform().start(() -> {
                boolean queued = !inbox.queuedMessages(SINT, 10).isEmpty();
                seen.set(queued ? "still queued" : hands.isEmpty() ? "nowhere" : "handed over");
            });
            awaitWaitingOrDone(looker[0]);
            hands.add(m);
        });
        looker[0].join();
        assertTrue(took);
        assertEquals("handed over", seen.get(), "a snapshot taken during the hand-off must not miss the message");
    }

    /** The looker either waits for the SINT's lock (the hand-off holds it) or has already looked. */
    private static void awaitWaitingOrDone(Thread t) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TERMINATED && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }
}
