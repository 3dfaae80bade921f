package dev.parvis.e2e;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.hv.HvMapGpaFlags;
import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HvRegisterName;
import dev.parvis.abi.hv.message.MemoryInterceptMessage;
import dev.parvis.hv.memory.GpaMap;
import dev.parvis.root.loader.LoadedChild;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A guest's stray stores reach the root as intercepts and land nowhere else: not in another child,
 * not in root memory, not in its own read-only pages.
 */
@OnEachBackend
@Timeout(60)
class IsolationTest {
    private static final long WILD_GPA = 0x4000_0000L;
    private static final long VALUE = 0xDEAD_BEEF_CAFE_F00DL;
    private static final byte FILL = 0x5A;
    private static final int ACCESS_WRITE = 1;

    @Test
    void storeToUnmappedGpaSuspendsTheGuestUntilTheRootMapsAPageAndTouchesNoOtherMemory() throws Exception {
        try (GuestHarness h = new GuestHarness()) {
            LoadedChild idle = h.boot("spin");
            LoadedChild wild = h.boot("wild");
            h.awaitOutput(idle, "waiting for requests", GuestHarness.TIMEOUT);
            h.awaitOutput(wild, "waiting for a target", GuestHarness.TIMEOUT);

            // The root page the wild store will finally land in, filled with a pattern.
            long[] rootPage = h.hv.rootMemory().allocate(1);
            try (var view = h.hv.rootMemory().view(rootPage)) {
                view.page(0).fill(FILL);
            }
            Set<Long> excluded = spnsOf(h.partition(wild));
            excluded.add(rootPage[0]);
            long[] idleGpns = h.partition(idle).gpaMap().mappedGpns();
            byte[][] idleBefore = pageBytes(h, h.partition(idle).gpaMap(), idleGpns);
            PoolSnapshot before = PoolSnapshot.take(h.hv.pool(), excluded);

            h.send(wild, GuestHarness.u64s(WILD_GPA, VALUE));
            HvMessage intercept = h.awaitIntercept(wild, GuestHarness.TIMEOUT);
            assertEquals(HvMessageType.UNMAPPED_GPA, intercept.type(), () -> "intercept type\n" + h.describe(wild));
            MemoryInterceptMessage mem = MemoryInterceptMessage.read(MemorySegment.ofArray(intercept.payload()));
            assertAll(
                    () -> assertEquals(WILD_GPA, mem.guestPhysicalAddress(), "faulting GPA"),
                    () -> assertEquals(ACCESS_WRITE, mem.header().accessType(), "access type (1 = write)"),
                    () -> assertTrue(h.vp0(wild).interceptSuspended(), "the VP is intercept-suspended"));
            assertFalse(h.pollMessage(wild, Duration.ofMillis(300)).isPresent(), "a suspended guest makes no progress");
            assertFalse(h.output(wild).contains("store returned"), () -> "the store did not complete\n" + h.describe(wild));

            h.hc.mapGpaPages(wild.partitionId(), WILD_GPA >>> 12, HvMapGpaFlags.READABLE | HvMapGpaFlags.WRITABLE, rootPage);
            h.hc.setVpRegister(wild.partitionId(), 0, HvRegisterName.INTERCEPT_SUSPEND, 0);

            long readBack = GuestHarness.le(h.awaitMessage(wild)).getLong();
            MemorySegment landed = h.hv.pool().pages(rootPage[0], 1);
            assertEquals(VALUE, readBack, "the guest reads back what it stored");
            assertEquals(VALUE, landed.get(ValueLayout.JAVA_LONG_UNALIGNED, 0), "the store landed at offset 0 of the mapped page");
            for (int i = 8; i < 4096; i++) {
                assertEquals(FILL, landed.get(ValueLayout.JAVA_BYTE, i), "byte " + i + " of the mapped page is untouched");
            }
            h.awaitPowerOff(wild);

            PoolSnapshot after = PoolSnapshot.take(h.hv.pool(), excluded);
            byte[][] idleAfter = pageBytes(h, h.partition(idle).gpaMap(), idleGpns);
            assertArrayEquals(idleGpns, h.partition(idle).gpaMap().mappedGpns(), "the idle child's map");
            for (int i = 0; i < idleGpns.length; i++) {
                assertArrayEquals(idleBefore[i], idleAfter[i], "idle child's GPN 0x" + Long.toHexString(idleGpns[i]));
            }
            assertEquals(h.hv.pool().pageCount() - excluded.size(), after.comparedWith(before), "pages compared");
            assertEquals(java.util.List.of(), after.changedSince(before), "pool pages outside the wild guest that changed");

            // The idle child still works.
            h.send(idle, GuestHarness.u64s(10));
            assertEquals(10, GuestHarness.le(h.awaitMessage(idle)).getLong(), "idle child answers");
        }
    }

    @Test
    void storeToItsOwnReadOnlyBootPageIsAGpaInterceptAndNeverLands() throws Exception {
        try (GuestHarness h = new GuestHarness()) {
            LoadedChild wild = h.boot("wild");
            h.awaitOutput(wild, "waiting for a target", GuestHarness.TIMEOUT);
            GpaMap map = h.partition(wild).gpaMap();
            long bootSpn = map.spn(0x2000 >>> 12);
            byte[] bootBefore = h.hv.pool().pages(bootSpn, 1).toArray(ValueLayout.JAVA_BYTE);

            h.send(wild, GuestHarness.u64s(0x2000, VALUE));
            for (int attempt = 1; attempt <= 2; attempt++) {
                HvMessage intercept = h.awaitIntercept(wild, GuestHarness.TIMEOUT);
                int n = attempt;
                assertEquals(HvMessageType.GPA_INTERCEPT, intercept.type(), () -> "attempt " + n + ": a mapped page without the right\n" + h.describe(wild));
                MemoryInterceptMessage mem = MemoryInterceptMessage.read(MemorySegment.ofArray(intercept.payload()));
                assertEquals(0x2000, mem.guestPhysicalAddress(), "faulting GPA");
                assertEquals(ACCESS_WRITE, mem.header().accessType(), "access type (1 = write)");
                assertTrue(h.vp0(wild).interceptSuspended(), "the VP is intercept-suspended");
                assertArrayEquals(bootBefore, h.hv.pool().pages(bootSpn, 1).toArray(ValueLayout.JAVA_BYTE), "boot page after attempt " + attempt);
                // Resuming without granting the right retries the store: it must fault again.
                h.hc.setVpRegister(wild.partitionId(), 0, HvRegisterName.INTERCEPT_SUSPEND, 0);
            }
            assertFalse(h.pollMessage(wild, Duration.ofMillis(200)).isPresent(), "the store never completed");
        }
    }

    /** The partition's RAM and the hypervisor's pages for it (its hypercall, SIM and SIEF pages). */
    private static Set<Long> spnsOf(dev.parvis.hv.partition.Partition p) {
        Set<Long> spns = new HashSet<>();
        for (long gpn : p.gpaMap().mappedGpns()) {
            spns.add(p.gpaMap().spn(gpn));
        }
        for (long spn : p.hypervisorPages()) {
            spns.add(spn);
        }
        return spns;
    }

    private static byte[][] pageBytes(GuestHarness h, GpaMap map, long[] gpns) {
        byte[][] out = new byte[gpns.length][];
        for (int i = 0; i < gpns.length; i++) {
            out[i] = h.hv.pool().pages(map.spn(gpns[i]), 1).toArray(ValueLayout.JAVA_BYTE);
        }
        return out;
    }
}
