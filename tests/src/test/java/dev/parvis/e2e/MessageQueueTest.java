package dev.parvis.e2e;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.boot.BootProtocol;
import dev.parvis.abi.hv.HvPortType;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.input.PortInfo;
import dev.parvis.hv.synic.VpSynic;
import dev.parvis.root.loader.LoadedChild;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The SIMP slot and its per-SINT queue, end to end: while a guest holds its slot, the root's posts
 * fill one slot plus {@link VpSynic#QUEUE_DEPTH} queued messages, the next ones are refused with
 * INSUFFICIENT_BUFFERS (never dropped), and once the guest drains with EOM every message arrives
 * exactly once, in order.
 */
@OnEachBackend
@Timeout(60)
class MessageQueueTest {
    private static final int MESSAGES = 20;
    private static final int EVENT_PORT = 7;

    @Test
    void postsBeyondTheQueueDepthAreRefusedNotLostAndQueuedMessagesArriveInOrderAfterEom() throws Exception {
        try (GuestHarness h = new GuestHarness()) {
            LoadedChild drain = h.boot("drain");
            assertEquals(0, GuestHarness.le(h.awaitMessage(drain)).getInt(), () -> "ready message\n" + h.describe(drain));
            int startConnection = eventConnection(h, drain);

            List<HvStatus> first = new ArrayList<>();
            for (int seq = 0; seq < MESSAGES; seq++) {
                first.add(h.post(drain, item(seq)));
            }
            int accepted = 1 + VpSynic.QUEUE_DEPTH;
            assertAll(
                    () -> assertEquals(List.of(HvStatus.SUCCESS), first.subList(0, accepted).stream().distinct().toList(),
                            "slot + queue depth posts accepted: " + first),
                    () -> assertEquals(List.of(HvStatus.INSUFFICIENT_BUFFERS), first.subList(accepted, MESSAGES).stream().distinct().toList(),
                            "posts beyond the queue refused: " + first));

            // Let the guest drain, and re-post the refused ones as a sender retrying on a full queue does.
            assertEquals(HvStatus.SUCCESS, h.hc.signalEvent(startConnection, 0), "start event");
            long deadline = System.nanoTime() + GuestHarness.TIMEOUT.toNanos();
            int retries = 0;
            for (int seq = accepted; seq < MESSAGES; seq++) {
                HvStatus status;
                while ((status = h.post(drain, item(seq))).equals(HvStatus.INSUFFICIENT_BUFFERS) && System.nanoTime() < deadline) {
                    retries++;
                    Thread.sleep(1);
                }
                assertEquals(HvStatus.SUCCESS, status, "re-post of " + seq);
            }

            ByteBuffer report = GuestHarness.le(h.awaitMessage(drain));
            int count = report.getInt();
            int pendingSeen = report.getInt();
            List<Integer> seqs = new ArrayList<>();
            while (report.remaining() >= 4) {
                seqs.add(report.getInt());
            }
            int retried = retries;
            assertEquals(IntStream.range(0, MESSAGES).boxed().toList(), seqs,
                    () -> "sequence numbers the guest drained (retries " + retried + ")\n" + h.describe(drain));
            assertEquals(MESSAGES, count, "messages drained");
            assertTrue(pendingSeen >= 1, "the held slot carried the pending flag, so the guest had to EOM (saw " + pendingSeen + ")");
            h.awaitPowerOff(drain);
        }
    }

    /** An event port on the child's message SINT, flag 0, and the root's connection to it. */
    private static int eventConnection(GuestHarness h, LoadedChild child) {
        int connection = 1000 + (int) child.partitionId();
        h.hc.createPort(child.partitionId(), EVENT_PORT, h.hv.root().id(),
                new PortInfo(HvPortType.EVENT, BootProtocol.ROOT_MESSAGE_SINT, 0, (short) 0, (short) 1));
        h.hc.connectPort(h.hv.root().id(), connection, child.partitionId(), EVENT_PORT, HvPortType.EVENT);
        return connection;
    }

    private static byte[] item(int seq) {
        return GuestHarness.u32s(seq, seq == MESSAGES - 1 ? 1 : 0);
    }
}
