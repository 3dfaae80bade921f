package dev.parvis.vmbus.loopback;

import dev.parvis.abi.vmbus.OpenChannel;
import dev.parvis.abi.vmbus.OpenChannelResult;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.vmbus.client.ClientChannel;
import dev.parvis.vmbus.client.GuestPages;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ring pages must be distinct (docs/vmbus.md, "Hostile input"): a ring GPADL that lists a page
 * twice, rings that overlap each other, or a ring on pages another open channel already uses as a
 * ring are refused at OPEN_CHANNEL with the failure status, so the host's writes never become its
 * own input. A GPADL itself may list a page twice.
 */
class AliasedRingTest {
    private static final int PAGE = 4096;
    private static final int OPEN_ID = 0x51;

    /** OPEN_CHANNEL of relid 1 on {@code pfns} (a fresh GPADL), returning OPEN_CHANNEL_RESULT's status. */
    private static int openOn(EchoFixture f, long[] pfns, int downstreamOffset) throws Exception {
        int handle = f.client.nextGpadlHandle();
        f.client.createGpadl(1, handle, pfns, 0, pfns.length * PAGE);
        f.client.post(new OpenChannel(1, OPEN_ID, handle, 0, downstreamOffset, new byte[0]));
        int status = f.client.await(OpenChannelResult.class, r -> r.childRelid() == 1).status();
        f.client.teardownGpadl(1, handle);
        return status;
    }

    private static void assertRefused(EchoFixture f, int status, String reason) throws Exception {
        assertEquals(VmbusConstants.STATUS_UNSUCCESSFUL, status, "OPEN_CHANNEL_RESULT status");
        assertTrue(f.server.channel(1).isEmpty(), "no channel opened on relid 1");
        assertTrue(f.logged(reason), "log names the aliasing: " + f.loopback.logLines());
        ClientChannel proper = f.open(0);
        f.assertEchoes(proper);
    }

    @Test
    void aRingGpadlListingItsPagesTwiceIsRefusedAtOpen() throws Exception {
        try (EchoFixture f = new EchoFixture()) {
            ClientChannel other = f.open(1);
            long[] two = f.memory.allocate(2).gpns();
            int status = openOn(f, new long[] {two[0], two[1], two[0], two[1]}, 2);
            assertRefused(f, status, "ring pages alias: GPN 0x" + Long.toHexString(two[0]) + " is page 0 and page 2");
            f.assertEchoes(other);
        }
    }

    @Test
    void inAndOutRingsThatShareADataPageAreRefusedAtOpen() throws Exception {
        try (EchoFixture f = new EchoFixture()) {
            long[] three = f.memory.allocate(3).gpns();
            int status = openOn(f, new long[] {three[0], three[1], three[2], three[1]}, 2);
            assertRefused(f, status, "(the in and out rings overlap)");
        }
    }

    @Test
    void aRingOnPagesAnotherOpenChannelUsesAsItsRingIsRefusedAtOpen() throws Exception {
        try (EchoFixture f = new EchoFixture()) {
            ClientChannel other = f.open(1);
            GuestPages otherRings = other.pages();
            long[] theirs = otherRings.gpns();
            // Our in ring is their out ring and the other way round: each echo would feed the other channel.
            int half = theirs.length / 2;
            long[] swapped = new long[theirs.length];
            System.arraycopy(theirs, half, swapped, 0, theirs.length - half);
            System.arraycopy(theirs, 0, swapped, theirs.length - half, half);
            int status = openOn(f, swapped, theirs.length - half);
            assertRefused(f, status, "is already a ring page of another open channel");
            f.assertEchoes(other);
        }
    }

    @Test
    void aGpadlListingAPageTwiceIsCreatedAsABufferAndTornDown() throws Exception {
        try (EchoFixture f = new EchoFixture()) {
            long[] one = f.memory.allocate(1).gpns();
            int handle = f.client.nextGpadlHandle();
            f.client.createGpadl(1, handle, new long[] {one[0], one[0], one[0]}, 0, 3 * PAGE);
            assertEquals(1, f.server.gpadlCount(), "the aliasing buffer GPADL exists");
            f.client.teardownGpadl(1, handle);
            assertEquals(0, f.server.gpadlCount(), "and is gone after GPADL_TEARDOWN");
        }
    }
}
