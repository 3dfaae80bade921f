package dev.parvis.vmbus.loopback;

import dev.parvis.abi.vmbus.GpadlBody;
import dev.parvis.abi.vmbus.GpadlCreated;
import dev.parvis.abi.vmbus.GpadlTeardown;
import dev.parvis.abi.vmbus.GpadlTorndown;
import dev.parvis.abi.vmbus.OpenChannel;
import dev.parvis.abi.vmbus.OpenChannelResult;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.vmbus.client.ClientChannel;
import dev.parvis.vmbus.client.GuestPages;
import dev.parvis.vmbus.client.VmbusClientException;
import dev.parvis.vmbus.ring.RingMemory;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A guest that breaks the rules, one way per test; after each, the server still answers and the
 * other open channel still echoes. No memory outside the guest's pages changes (guard pages,
 * checked when the fixture closes).
 */
class HostileGuestTest {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int FAIL = VmbusConstants.STATUS_UNSUCCESSFUL;

    /** The victim channel (relid 1) is closed by the server; relid 2 and the control path work on. */
    private static void assertChannelClosedAndRestStillWorks(EchoFixture f, ClientChannel victim, ClientChannel other,
                                                             String logFragment) throws Exception {
        EchoFixture.waitFor("the server closes channel 1", () -> f.server.channel(1).isEmpty());
        assertTrue(f.logged(logFragment), "log: " + f.loopback.logLines());
        f.assertEchoes(other);
        // The guest cleans up: the ring GPADL is no longer in use, so it tears down at once. Its
        // CLOSE_CHANNEL of the channel the host stopped is clean-up, not a guest error.
        long errors = f.server.guestErrorCount();
        victim.close();
        assertEquals(errors, f.server.guestErrorCount(), "log: " + f.loopback.logLines());
        ClientChannel reopened = f.open(0);
        f.assertEchoes(reopened);
        f.assertEchoes(other);
    }

    private static void writeDescriptor(RingMemory ring, long at, int type, int offset8, int len8) {
        MemorySegment d = MemorySegment.ofArray(new byte[16]);
        d.set(U16, 0, (short) type);
        d.set(U16, 2, (short) offset8);
        d.set(U16, 4, (short) len8);
        ring.write(at, d, 0, 16);
    }

    @Test
    void aWriteIndexOutsideTheRingClosesOnlyThatChannel() throws Exception {
        try (EchoFixture f = new EchoFixture()) {
            ClientChannel victim = f.open(0);
            ClientChannel other = f.open(1);
            f.assertEchoes(victim);
            RingMemory ring = victim.outboundMemory();
            ring.control().set(U32, 0, (int) ring.dataSize() + 8);
            victim.signalHost();
            assertChannelClosedAndRestStillWorks(f, victim, other, "ring corrupt");
        }
    }

    @Test
    void aMisalignedWriteIndexClosesOnlyThatChannel() throws Exception {
        try (EchoFixture f = new EchoFixture()) {
            ClientChannel victim = f.open(0);
            ClientChannel other = f.open(1);
            victim.outboundMemory().control().set(U32, 0, 12);
            victim.signalHost();
            assertChannelClosedAndRestStillWorks(f, victim, other, "ring corrupt");
        }
    }

    @Test
    void aPacketLengthBeyondTheRingClosesOnlyThatChannel() throws Exception {
        try (EchoFixture f = new EchoFixture()) {
            ClientChannel victim = f.open(0);
            ClientChannel other = f.open(1);
            RingMemory ring = victim.outboundMemory();
            long at = Integer.toUnsignedLong(ring.control().get(U32, 0));
            writeDescriptor(ring, at, 6, 2, 0xFFFF);
            ring.control().set(U32, 0, (int) (at + 32));
            victim.signalHost();
            assertChannelClosedAndRestStillWorks(f, victim, other, "ring corrupt");
        }
    }

    @Test
    void anOffset8InsideTheDescriptorClosesOnlyThatChannel() throws Exception {
        try (EchoFixture f = new EchoFixture()) {
            ClientChannel victim = f.open(0);
            ClientChannel other = f.open(1);
            f.assertEchoes(victim);
            RingMemory ring = victim.outboundMemory();
            long at = Integer.toUnsignedLong(ring.control().get(U32, 0));
            writeDescriptor(ring, at, 6, 1, 3);
            ring.control().set(U32, 0, (int) (at + 32));
            victim.signalHost();
            assertChannelClosedAndRestStillWorks(f, victim, other, "ring corrupt");
        }
    }

    @Test
    void aGpadlNamingPagesOutsideTheChildIsRefused() throws Exception {
        try (EchoFixture f = new EchoFixture()) {
            ClientChannel other = f.open(1);
            GuestPages pages = f.memory.allocate(4);
            long[] pfns = pages.gpns();
            pfns[2] = f.memory.unmappedGpn();
            int handle = f.client.nextGpadlHandle();
            VmbusClientException e = assertThrows(VmbusClientException.class,
                    () -> f.client.createGpadl(1, handle, pfns, 0, 4 * 4096));
            assertEquals(FAIL, e.status());
            assertTrue(f.logged("pages refused"));
            f.assertEchoes(other);
            f.client.createGpadl(1, pages);
        }
    }

    @Test
    void aGpadlBodyWithoutAHeaderIsLoggedAndNotAnswered() throws Exception {
        try (EchoFixture f = new EchoFixture()) {
            ClientChannel other = f.open(1);
            MemorySegment buffer = MemorySegment.ofArray(new byte[VmbusConstants.MAX_MESSAGE_SIZE]);
            new GpadlBody(1, 0x4242).write(buffer);
            int length = GpadlBody.writePfns(buffer, f.memory.allocate(3).gpns());
            f.client.postRaw(buffer, length);
            f.client.createGpadl(1, f.memory.allocate(2)); // answered after the body was handled
            assertEquals(Optional.empty(), f.client.poll(GpadlCreated.class, c -> c.gpadl() == 0x4242, Duration.ZERO));
            assertTrue(f.logged("GPADL_BODY for no GPADL being assembled"));
            f.assertEchoes(other);
        }
    }

    @Test
    void openingAnUnknownRelidGetsAFailedResult() throws Exception {
        try (EchoFixture f = new EchoFixture()) {
            ClientChannel other = f.open(1);
            int gpadl = f.client.createGpadl(1, f.memory.allocate(4));
            f.client.post(new OpenChannel(99, 5, gpadl, 0, 2, null));
            OpenChannelResult result = f.client.await(OpenChannelResult.class, r -> r.childRelid() == 99);
            assertEquals(5, result.openId());
            assertEquals(FAIL, result.status());
            assertTrue(f.logged("unknown relid"));
            f.assertEchoes(other);
        }
    }

    @Test
    void openingWithABadRingGpadlOrOffsetGetsAFailedResult() throws Exception {
        try (EchoFixture f = new EchoFixture()) {
            ClientChannel other = f.open(1);
            int gpadl = f.client.createGpadl(1, f.memory.allocate(4));
            for (int[] bad : new int[][] {{gpadl + 1000, 2}, {gpadl, 1}, {gpadl, 3}, {gpadl, -1}, {other.gpadl(), 9}}) {
                f.client.post(new OpenChannel(1, 1, bad[0], 0, bad[1], null));
                assertEquals(FAIL, f.client.await(OpenChannelResult.class, r -> r.childRelid() == 1).status());
            }
            f.client.post(new OpenChannel(1, 1, gpadl, 7, 2, null));
            assertEquals(FAIL, f.client.await(OpenChannelResult.class, r -> r.childRelid() == 1).status(),
                    "target VP 7 of a 1-VP child");
            f.assertEchoes(other);
        }
    }

    @Test
    void tearingDownTheRingGpadlOfAnOpenChannelWaitsForTheClose() throws Exception {
        try (EchoFixture f = new EchoFixture()) {
            ClientChannel channel = f.open(0);
            ClientChannel other = f.open(1);
            f.client.post(new GpadlTeardown(1, channel.gpadl()));
            Optional<GpadlTorndown> early = f.client.poll(GpadlTorndown.class, t -> t.gpadl() == channel.gpadl(),
                    Duration.ofMillis(200));
            assertTrue(early.isEmpty(), "torn down under an open channel");
            assertTrue(f.logged("while channel 1 uses it"));
            f.assertEchoes(channel);
            f.assertEchoes(other);
            channel.closeChannel();
            f.client.await(GpadlTorndown.class, t -> t.gpadl() == channel.gpadl());
            channel.pages().close();
            f.assertEchoes(other);
            f.assertEchoes(f.open(0));
        }
    }

    @Test
    void unmappingRingPagesUnderAnOpenChannelClosesOnlyThatChannel() throws Exception {
        try (EchoFixture f = new EchoFixture()) {
            ClientChannel victim = f.open(0);
            ClientChannel other = f.open(1);
            f.memory.unmap(victim.pages().gpns());
            victim.signalHost();
            EchoFixture.waitFor("the server closes channel 1", () -> f.server.channel(1).isEmpty());
            f.assertEchoes(other);
            f.client.teardownGpadl(1, victim.gpadl());
            f.assertEchoes(f.open(0));
        }
    }

    @Test
    void rescindingAnOpenChannelClosesItAndTheRelidComesBackAfterRelease() throws Exception {
        try (EchoFixture f = new EchoFixture()) {
            ClientChannel victim = f.open(0);
            ClientChannel other = f.open(1);
            assertTrue(f.server.rescind(1));
            EchoFixture.waitFor("the rescind reaches the guest", () -> f.client.rescindedRelids().contains(1));
            EchoFixture.waitFor("the server closes channel 1", () -> f.server.channel(1).isEmpty());
            assertEquals(0, f.first.counters().packetsIn());
            victim.teardown();
            f.client.post(new dev.parvis.abi.vmbus.RelidReleased(1));
            EchoFixture.waitFor("relid 1 released", () -> !f.server.offeredRelids().contains(1));
            f.assertEchoes(other);
        }
    }
}
