package dev.parvis.devices.ic;

import dev.parvis.abi.ic.IcConstants;
import dev.parvis.abi.ic.IcVersion;
import dev.parvis.abi.ic.TimesyncLegacyMessage;
import dev.parvis.abi.ic.TimesyncMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimeSyncServiceTest {
    /** A partition reference counter: 100 ns ticks since the test's start. */
    private static final long T0 = System.nanoTime();

    private static long referenceTime() {
        return (System.nanoTime() - T0) / 100;
    }

    @Test
    void aSyncThenSamplesArriveWithSaneParentAndReferenceTimes() throws Exception {
        TimeSyncService timeSync = new TimeSyncService(TimeSyncServiceTest::referenceTime);
        List<TimesyncMessage> seen = new CopyOnWriteArrayList<>();
        List<Long> guestReference = new CopyOnWriteArrayList<>();
        try (IcFixture f = new IcFixture(timeSync)) {
            f.guest(timeSync, IcVersions.TIMESYNC, (h, b) -> {
                guestReference.add(referenceTime());
                seen.add(TimesyncMessage.read(b));
                return IcConstants.S_OK;
            });
            IcFixture.waitFor("3 samples", Duration.ofSeconds(4), () -> seen.size() >= 3);
            assertEquals(IcVersion.of(4, 0), timeSync.channel().negotiated().message());
            assertEquals(IcConstants.TIMESYNC_SYNC, seen.get(0).flags());
            long now = TimeSyncService.windowsTime(Instant.now());
            for (int i = 0; i < 3; i++) {
                TimesyncMessage m = seen.get(i);
                assertTrue(i == 0 || m.flags() == IcConstants.TIMESYNC_SAMPLE, "flags of sample " + i);
                assertTrue(Math.abs(now - m.parentTime()) < 10 * 10_000_000L, "parent time within 10 s of now");
                assertTrue(m.vmReferenceTime() > 0 && m.vmReferenceTime() <= guestReference.get(i),
                        "reference time taken before the guest saw it");
                assertTrue(guestReference.get(i) - m.vmReferenceTime() < 10_000_000L, "and less than 1 s before");
            }
            assertTrue(seen.get(1).parentTime() - seen.get(0).parentTime() >= 5_000_000L, "samples ~1 s apart");
            assertTrue(seen.get(1).vmReferenceTime() > seen.get(0).vmReferenceTime());
            IcFixture.waitFor("Ok", Duration.ofSeconds(2), () -> timeSync.status().equals(IcStatus.OK));
        }
    }

    @Test
    void aVersion3GuestGetsTheOldForm() throws Exception {
        TimeSyncService timeSync = new TimeSyncService(TimeSyncServiceTest::referenceTime);
        List<TimesyncLegacyMessage> seen = new CopyOnWriteArrayList<>();
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        try (IcFixture f = new IcFixture(timeSync)) {
            f.guest(timeSync, List.of(IcVersion.of(3, 0), IcVersion.of(1, 0)), (h, b) -> {
                sizes.add(h.messageSize());
                seen.add(TimesyncLegacyMessage.read(b));
                return IcConstants.S_OK;
            });
            IcFixture.waitFor("a sample", Duration.ofSeconds(3), () -> !seen.isEmpty());
            assertEquals(TimesyncLegacyMessage.SIZE, sizes.getFirst());
            assertEquals(IcConstants.TIMESYNC_SYNC, seen.getFirst().flags());
            assertTrue(Math.abs(TimeSyncService.windowsTime(Instant.now()) - seen.getFirst().parentTime())
                    < 10 * 10_000_000L);
        }
    }

    @Test
    void windowsTimeCountsFrom1601() {
        assertEquals(IcConstants.WINDOWS_EPOCH_OFFSET, TimeSyncService.windowsTime(Instant.EPOCH));
        assertEquals(0, TimeSyncService.windowsTime(Instant.parse("1601-01-01T00:00:00Z")));
    }
}
