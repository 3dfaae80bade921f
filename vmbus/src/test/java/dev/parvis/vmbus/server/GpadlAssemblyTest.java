package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.ChannelMessage;
import dev.parvis.abi.vmbus.GpadlCreated;
import dev.parvis.abi.vmbus.GpadlTeardown;
import dev.parvis.abi.vmbus.GpadlTorndown;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.vmbus.client.GuestPages;
import dev.parvis.vmbus.device.EchoDevice;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GpadlAssemblyTest {
    private static final int OK = VmbusConstants.STATUS_SUCCESS;
    private static final int FAIL = VmbusConstants.STATUS_UNSUCCESSFUL;

    private static ServerHarness connected() {
        ServerHarness h = new ServerHarness();
        h.server.addDevice(new EchoDevice());
        h.connectAndRequestOffers();
        return h;
    }

    private static void assertCreated(List<ChannelMessage> answers, int relid, int handle, int status) {
        assertEquals(List.of(new GpadlCreated(relid, handle, status)), answers);
    }

    @Test
    void aGpadlOfMoreThan26PagesNeedsBodiesAndIsCreatedOnlyWhenComplete() {
        try (ServerHarness h = connected()) {
            GuestPages pages = h.memory.allocate(90);
            long[] pfns = pages.gpns();
            assertEquals(List.of(), h.gpadlHeader(1, 0x100, pfns, 0, 90 * 4096));
            assertEquals(List.of(), h.gpadlBody(0x100, Arrays.copyOfRange(pfns, 26, 54)));
            assertEquals(List.of(), h.gpadlBody(0x100, Arrays.copyOfRange(pfns, 54, 82)));
            assertEquals(1, h.server.gpadlCount());
            assertCreated(h.gpadlBody(0x100, Arrays.copyOfRange(pfns, 82, 90)), 1, 0x100, OK);
            assertEquals(1, h.memory.openViewCount());
            assertEquals(List.of(new GpadlTorndown(0x100)), h.send(new GpadlTeardown(1, 0x100)));
            assertEquals(0, h.memory.openViewCount());
            assertEquals(0, h.server.gpadlCount());
        }
    }

    @Test
    void aGpadlWithAByteOffsetCountsTheExtraPage() {
        try (ServerHarness h = connected()) {
            long[] pfns = h.memory.allocate(3).gpns();
            assertCreated(h.gpadlHeader(1, 5, pfns, 100, 2 * 4096), 1, 5, OK);
        }
    }

    @Test
    void pagesOutsideTheChildsMapAreRefused() {
        try (ServerHarness h = connected()) {
            long[] pfns = h.memory.allocate(2).gpns();
            long[] hostile = {pfns[0], h.memory.unmappedGpn()};
            assertCreated(h.gpadlHeader(1, 6, hostile, 0, 2 * 4096), 1, 6, FAIL);
            long[] guard = {pfns[0] - 1};
            assertCreated(h.gpadlHeader(1, 7, guard, 0, 4096), 1, 7, FAIL);
            assertEquals(0, h.server.gpadlCount());
            assertTrue(h.effects.logCount() >= 2);
            assertCreated(h.gpadlHeader(1, 8, pfns, 0, 2 * 4096), 1, 8, OK);
        }
    }

    @Test
    void aBodyWithoutAHeaderIsLoggedAndNotAnswered() {
        try (ServerHarness h = connected()) {
            long[] pfns = h.memory.allocate(2).gpns();
            int logged = h.effects.logCount();
            assertEquals(List.of(), h.gpadlBody(0x77, pfns), "no GPADL waits for this answer");
            assertEquals(logged + 1, h.effects.logCount());
            assertEquals(0, h.server.gpadlCount());
        }
    }

    @Test
    void aBodyForACompletedGpadlIsLoggedAndTheGpadlStaysCreated() {
        try (ServerHarness h = connected()) {
            long[] pfns = h.memory.allocate(2).gpns();
            assertCreated(h.gpadlHeader(1, 9, pfns, 0, 2 * 4096), 1, 9, OK);
            assertEquals(List.of(), h.gpadlBody(9, pfns), "a failure now would contradict its GPADL_CREATED");
            assertEquals(1, h.server.gpadlCount());
        }
    }

    /** A guest posts a GPADL's header and bodies back to back: a refused header is its one answer. */
    @Test
    void theBodiesOfARefusedHeaderGetNoAnswerOfTheirOwn() {
        try (ServerHarness h = connected()) {
            long[] pfns = h.memory.allocate(60).gpns();
            assertCreated(h.gpadlHeader(9, 0x78, pfns, 0, 60 * 4096), 9, 0x78, FAIL); // relid 9 is not offered
            assertEquals(List.of(), h.gpadlBody(0x78, Arrays.copyOfRange(pfns, 26, 54)));
            assertEquals(List.of(), h.gpadlBody(0x78, Arrays.copyOfRange(pfns, 54, 60)));
            assertEquals(0, h.server.gpadlCount());
        }
    }

    /** A body that cannot be parsed ends the assembly it continues, with that GPADL's one answer; otherwise none. */
    @Test
    void aMalformedBodyIsAnsweredOnlyForTheGpadlItBreaks() {
        try (ServerHarness h = connected()) {
            long[] pfns = h.memory.allocate(30).gpns();
            assertEquals(List.of(), h.gpadlHeader(1, 0x79, pfns, 0, 30 * 4096));
            byte[] body = new byte[64];
            new dev.parvis.abi.vmbus.GpadlBody(1, 0x79).write(MemorySegment.ofArray(body));
            assertCreated(h.sendRaw(body, 20), 1, 0x79, FAIL); // 4 bytes of PFN: not whole words
            assertEquals(List.of(), h.sendRaw(body, 20), "the assembly is gone: nothing waits for an answer");
            assertEquals(0, h.server.gpadlCount());
        }
    }

    @Test
    void aDuplicateHandleIsRefused() {
        try (ServerHarness h = connected()) {
            long[] pfns = h.memory.allocate(2).gpns();
            assertCreated(h.gpadlHeader(1, 10, pfns, 0, 2 * 4096), 1, 10, OK);
            assertCreated(h.gpadlHeader(1, 10, pfns, 0, 2 * 4096), 1, 10, FAIL);
            assertEquals(1, h.server.gpadlCount());
        }
    }

    @Test
    void tooManyPfnsInABodyAbandonTheGpadl() {
        try (ServerHarness h = connected()) {
            long[] pfns = h.memory.allocate(40).gpns();
            assertEquals(List.of(), h.gpadlHeader(1, 11, pfns, 0, 30 * 4096));
            assertCreated(h.gpadlBody(11, Arrays.copyOfRange(pfns, 26, 40)), 1, 11, FAIL);
            assertEquals(0, h.server.gpadlCount());
            assertEquals(0, h.server.pendingPfnSlots());
        }
    }

    @Test
    void aRangeCountOtherThanOneOrAnOffsetPastThePageIsRefused() {
        try (ServerHarness h = connected()) {
            long[] pfns = h.memory.allocate(2).gpns();
            assertCreated(h.gpadlHeader(1, 12, pfns, 4096, 4096), 1, 12, FAIL);
            byte[] bytes = new dev.parvis.abi.vmbus.GpadlHeader(1, 13, (short) 16, (short) 2).toBytes();
            byte[] message = Arrays.copyOf(bytes, 36);
            MemorySegment.ofArray(message).set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 20, 4096);
            assertCreated(h.sendRaw(message, 36), 1, 13, FAIL);
        }
    }

    @Test
    void aGpadlForAnUnknownRelidIsRefused() {
        try (ServerHarness h = connected()) {
            long[] pfns = h.memory.allocate(1).gpns();
            assertCreated(h.gpadlHeader(42, 14, pfns, 0, 4096), 42, 14, FAIL);
        }
    }

    @Test
    void gpadlsPerConnectionAndGpadlsBeingAssembledAreBounded() {
        ServerConfig config = new ServerConfig(1, 8, 3, Duration.ofSeconds(1), 100, 10);
        try (ServerHarness h = new ServerHarness(config)) {
            h.server.addDevice(new EchoDevice());
            h.connectAndRequestOffers();
            long[] pfns = h.memory.allocate(40).gpns();
            for (int i = 0; i < 3; i++) {
                assertEquals(List.of(), h.gpadlHeader(1, 100 + i, pfns, 0, 40 * 4096));
            }
            assertCreated(h.gpadlHeader(1, 103, pfns, 0, 40 * 4096), 1, 103, FAIL);
            assertEquals(3 * 40, h.server.pendingPfnSlots());
            for (int i = 0; i < 8; i++) {
                List<ChannelMessage> answer = h.gpadlHeader(1, 200 + i, Arrays.copyOf(pfns, 1), 0, 4096);
                assertCreated(answer, 1, 200 + i, i < 5 ? OK : FAIL);
            }
            assertEquals(8, h.server.gpadlCount());
        }
    }

    @Test
    void aTruncatedGpadlHeaderGetsAFailedGpadlCreated() {
        try (ServerHarness h = connected()) {
            byte[] bytes = new dev.parvis.abi.vmbus.GpadlHeader(1, 15, (short) 16, (short) 1).toBytes();
            assertCreated(h.sendRaw(Arrays.copyOf(bytes, 24), 17), 1, 15, FAIL);
        }
    }
}
