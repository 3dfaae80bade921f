package dev.parvis.vmbus.loopback;

import dev.parvis.abi.vmbus.ChannelMessageType;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.vmbus.client.ClientChannel;
import dev.parvis.vmbus.server.ServerConfig;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ControlFloodTest {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int MESSAGES = 100_000;

    /**
     * Random bytes with a plausible type word, plus GPADL headers and bodies built to hold
     * assembly state; never UNLOAD (that would legitimately close the channels we check).
     */
    private static int hostileMessage(Random random, byte[] bytes) {
        random.nextBytes(bytes);
        MemorySegment s = MemorySegment.ofArray(bytes);
        int length = random.nextInt(VmbusConstants.MAX_MESSAGE_SIZE + 1);
        int kind = random.nextInt(10);
        int type;
        if (kind < 6) {
            do {
                type = random.nextInt(32);
            } while (type == ChannelMessageType.UNLOAD.raw());
        } else if (kind < 9) {
            type = ChannelMessageType.GPADL_HEADER.raw();
            length = 28 + 8 * random.nextInt(27);
            s.set(U32, 8, 1);
            s.set(U32, 12, random.nextInt(64));
            s.set(U16, 18, (short) 1);
            int pages = 1 + random.nextInt(8190);
            s.set(U16, 16, (short) (8 + 8 * pages));
            s.set(U32, 20, pages * 4096);
            s.set(U32, 24, 0);
        } else {
            type = ChannelMessageType.GPADL_BODY.raw();
            length = 16 + 8 * random.nextInt(29);
            s.set(U32, 12, random.nextInt(64));
        }
        s.set(U32, 0, type);
        return length;
    }

    @Test
    void aHundredThousandMalformedControlMessagesLeaveTheServerResponsiveAndBounded() throws Exception {
        try (EchoFixture f = new EchoFixture(ServerConfig.defaults(1))) {
            ClientChannel first = f.open(0);
            ClientChannel second = f.open(1);
            Random random = new Random(7);
            byte[] bytes = new byte[VmbusConstants.MAX_MESSAGE_SIZE];
            long maxPendingSlots = 0;
            for (int i = 0; i < MESSAGES; i++) {
                int length = hostileMessage(random, bytes);
                f.client.postRaw(MemorySegment.ofArray(bytes), length);
                if (i % 10_000 == 0) {
                    maxPendingSlots = Math.max(maxPendingSlots, f.server.pendingPfnSlots());
                    f.client.clearInbox();
                }
            }
            // Everything posted before this GPADL has been handled once its answer arrives.
            int handle = f.client.nextGpadlHandle();
            f.client.createGpadl(1, handle, f.memory.allocate(2).gpns(), 0, 2 * 4096);
            f.client.clearInbox();

            ServerConfig limits = ServerConfig.defaults(1);
            assertTrue(f.server.gpadlCount() <= limits.maxGpadls(), "GPADLs: " + f.server.gpadlCount());
            assertTrue(f.server.pendingPfnSlots() <= (long) limits.maxPendingGpadls() * 8190);
            assertTrue(maxPendingSlots > 0, "the flood held GPADLs in assembly");
            assertTrue(maxPendingSlots <= (long) limits.maxPendingGpadls() * 8190);
            assertTrue(f.server.guestErrorCount() > MESSAGES / 2, "errors counted: " + f.server.guestErrorCount());
            assertTrue(f.loopback.logLines().size() < 1000, "the log is rate-limited");

            f.assertEchoes(first);
            f.assertEchoes(second);
            first.close();
            second.close();
            f.client.unload();
            f.client.connect();
            assertEquals(2, f.client.requestOffers().size());
            f.assertEchoes(f.open(0));
        }
    }
}
