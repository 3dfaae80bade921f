package dev.parvis.hv.synic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.HvSynic;
import dev.parvis.hv.memory.SpaPool;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The message-slot protocol of reference 5.3, played by the test as the guest. */
class VpSynicTest {
    private static final long SIMP_GPN = 0x20;
    private static final long SENDER = 7;
    private final SpaPool pool = new SpaPool(16 * 4096);
    private final MemorySegment simpPage = pool.pages(pool.allocateRoot(1)[0], 1);
    private final MemorySegment siefPage = pool.pages(pool.allocateRoot(1)[0], 1);
    private final AtomicInteger wakes = new AtomicInteger();
    private final VpSynic synic = new VpSynic(simpPage, siefPage, wakes::incrementAndGet);

    @AfterEach
    void close() {
        pool.close();
    }

    private void enable(int sint) {
        synic.setSimp((SIMP_GPN << 12) | 1);
        synic.setSint(sint, 0x20 | HvSynic.SINT_POLLING);
    }

    private static HvMessage message(int n) {
        return new HvMessage(new HvMessageType(1), (byte) 0, 99, new byte[] {(byte) n});
    }

    private int slotType(int sint) {
        return simpPage.get(ValueLayout.JAVA_INT, sint * 256L);
    }

    private int slotFlags(int sint) {
        return simpPage.get(ValueLayout.JAVA_BYTE, sint * 256L + 5);
    }

    private int slotFirstPayloadByte(int sint) {
        return simpPage.get(ValueLayout.JAVA_BYTE, sint * 256L + 16);
    }

    /** What a guest does: free the slot, and send EOM when the pending flag was set. */
    private void consume(int sint) {
        boolean pending = (slotFlags(sint) & HvMessage.FLAG_PENDING) != 0;
        simpPage.set(ValueLayout.JAVA_INT, sint * 256L, 0);
        if (pending) {
            synic.endOfMessage();
        }
    }

    @Test
    void aMessageLandsInItsSintsSlotAndWakesTheVp() {
        enable(3);
        assertEquals(HvStatus.SUCCESS, synic.postMessage(SENDER, 3, message(7)));
        assertEquals(1, slotType(3));
        assertEquals(7, slotFirstPayloadByte(3));
        assertEquals(1, wakes.get());
    }

    @Test
    void aFullSlotQueuesTheNextMessageAndRedeliversItAfterEndOfMessage() {
        enable(2);
        synic.postMessage(SENDER, 2, message(1));
        assertEquals(HvStatus.SUCCESS, synic.postMessage(SENDER, 2, message(2)));
        assertEquals(1, slotFirstPayloadByte(2), "the first message stays in the slot");
        assertEquals(HvMessage.FLAG_PENDING, slotFlags(2) & HvMessage.FLAG_PENDING);
        consume(2);
        assertEquals(1, slotType(2));
        assertEquals(2, slotFirstPayloadByte(2), "redelivered after EOM");
        assertEquals(0, slotFlags(2) & HvMessage.FLAG_PENDING);
    }

    @Test
    void theQueueIsBoundedAndThenSendersGetInsufficientBuffers() {
        enable(1);
        synic.postMessage(SENDER, 1, message(0));
        for (int i = 0; i < VpSynic.QUEUE_DEPTH; i++) {
            assertEquals(HvStatus.SUCCESS, synic.postMessage(SENDER, 1, message(i + 1)));
        }
        assertEquals(HvStatus.INSUFFICIENT_BUFFERS, synic.postMessage(SENDER, 1, message(99)));
        for (int i = 0; i <= VpSynic.QUEUE_DEPTH; i++) {
            assertEquals(i, slotFirstPayloadByte(1), "messages keep their order");
            consume(1);
        }
        assertEquals(0, slotType(1));
    }

    @Test
    void messagesForAMaskedSintWaitUntilItIsUnmasked() {
        enable(4);
        synic.setSint(5, HvSynic.SINT_MASKED);
        assertEquals(HvStatus.SUCCESS, synic.postMessage(SENDER, 5, message(3)));
        assertEquals(0, slotType(5));
        assertTrue(synic.hasQueuedMessages());
        synic.setSint(5, 0x20 | HvSynic.SINT_POLLING);
        assertEquals(3, slotFirstPayloadByte(5));
    }

    @Test
    void aSenderThatFillsItsShareIsRefusedWhileAnotherSenderStillGetsInAndIsServedInTurn() {
        enable(1);
        synic.postMessage(1, 1, message(0));
        for (int i = 0; i < VpSynic.QUEUE_DEPTH; i++) {
            assertEquals(HvStatus.SUCCESS, synic.postMessage(1, 1, message(10 + i)));
        }
        assertEquals(HvStatus.INSUFFICIENT_BUFFERS, synic.postMessage(1, 1, message(99)), "sender 1's share is full");
        assertEquals(HvStatus.SUCCESS, synic.postMessage(2, 1, message(50)), "sender 2 has a share of its own");
        consume(1);
        assertEquals(10, slotFirstPayloadByte(1));
        consume(1);
        assertEquals(50, slotFirstPayloadByte(1), "sender 2's message is served next, not after sender 1's whole queue");
        consume(1);
        assertEquals(11, slotFirstPayloadByte(1));
    }

    @Test
    void eventFlagsAreSetInTheVpsOwnSiefPage() {
        synic.setSiefp((0x30L << 12) | 1);
        synic.setSint(2, 0x20 | HvSynic.SINT_POLLING);
        assertTrue(synic.signalEvent(2, 33));
        assertEquals(1 << 1, siefPage.get(ValueLayout.JAVA_INT, 2 * 256L + 4), "flag 33 of SINT 2");
    }

    @Test
    void aClosedSynicNeverWritesItsPagesAgain() {
        enable(1);
        synic.setSiefp((0x30L << 12) | 1);
        synic.close();
        assertEquals(HvStatus.INSUFFICIENT_BUFFERS, synic.postMessage(SENDER, 1, message(1)));
        assertEquals(false, synic.signalEvent(1, 0));
        assertEquals(0, slotType(1), "the page went back to the deposit: nothing lands in it");
        assertEquals(0, siefPage.get(ValueLayout.JAVA_INT, 256L));
    }
}
