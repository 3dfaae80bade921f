package dev.parvis.e2e;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.boot.BootProtocol;
import dev.parvis.abi.hv.HvPortType;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.input.PortInfo;
import dev.parvis.root.loader.LoadedChild;
import java.nio.ByteBuffer;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two children run at once on the kernel's logical-processor threads and talk only through the ports the root connected. */
@OnEachBackend
@Timeout(60)
class TwoChildrenTest {
    /** Port id each child receives peer messages on (1 is the loader's root port). */
    private static final int PEER_PORT = 5;
    /** Connection id, in each child's namespace, towards its peer (1 and 2 lead to the root). */
    private static final int PEER_CONNECTION = 10;

    @Test
    void twoPingpongChildrenTalkThroughRootMadePortsOnSeparateThreadsAndCannotUseUnmadeConnections() throws Exception {
        try (GuestHarness h = new GuestHarness()) {
            LoadedChild a = h.boot("pingpong");
            LoadedChild b = h.boot("pingpong");
            connect(h, a, b);
            connect(h, b, a);

            // Responder first, so its setup is in place; pingpong tolerates either order anyway.
            h.send(b, GuestHarness.u32s(PEER_CONNECTION, 0));
            h.send(a, GuestHarness.u32s(PEER_CONNECTION, 1));

            ByteBuffer ra = GuestHarness.le(h.awaitMessage(a));
            ByteBuffer rb = GuestHarness.le(h.awaitMessage(b));
            h.awaitPowerOff(a);
            h.awaitPowerOff(b);

            Set<String> threadsA = h.vpThreads(a);
            Set<String> threadsB = h.vpThreads(b);
            assertAll(
                    () -> assertEquals(1, ra.getInt(0), () -> "initiator got pong\n" + h.describe(a)),
                    () -> assertEquals(1, rb.getInt(0), () -> "responder got ping\n" + h.describe(b)),
                    () -> assertEquals(HvStatus.INVALID_CONNECTION_ID.raw(), (short) ra.getInt(4), "A's post on an unmade connection"),
                    () -> assertEquals(HvStatus.INVALID_CONNECTION_ID.raw(), (short) rb.getInt(4), "B's post on an unmade connection"),
                    // Partitions own no threads: the kernel's logical processors (parvis-lp-N) run both children.
                    () -> assertTrue(!threadsA.isEmpty() && threadsA.stream().allMatch(t -> t.startsWith("parvis-lp-")), "host thread(s) that ran A: " + threadsA),
                    () -> assertTrue(!threadsB.isEmpty() && threadsB.stream().allMatch(t -> t.startsWith("parvis-lp-")), "host thread(s) that ran B: " + threadsB),
                    () -> assertEquals(true, h.output(a).contains("got pong") && h.output(b).contains("got ping"),
                            () -> "both sides saw the peer's word\n" + h.describe(a) + "\n" + h.describe(b)));
        }
    }

    /** A message port on {@code to}, and {@code from}'s connection {@link #PEER_CONNECTION} to it. */
    private static void connect(GuestHarness h, LoadedChild from, LoadedChild to) {
        h.hc.createPort(to.partitionId(), PEER_PORT, from.partitionId(),
                new PortInfo(HvPortType.MESSAGE, BootProtocol.ROOT_MESSAGE_SINT, 0, (short) 0, (short) 0));
        h.hc.connectPort(from.partitionId(), PEER_CONNECTION, to.partitionId(), PEER_PORT, HvPortType.MESSAGE);
    }
}
