package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.Guid;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The saved VMBus state's bytes: every phase round-trips; a damaged or oversized state is refused by name. */
class VmbusStateCodecTest {
    private static final Guid TYPE = Guid.parse("3b1a4a2c-0000-4000-8000-0000000000e0");
    private static final Guid INSTANCE = Guid.parse("7a0c6d1e-0000-4000-8000-000000000001");

    private static VmbusServerState everyPhase() {
        byte[] userData = new byte[120];
        userData[5] = 9;
        VmbusServerState.Open a = new VmbusServerState.Open(1, 0x10, 2, 0, userData, 4096);
        VmbusServerState.Open b = new VmbusServerState.Open(2, 0x11, 3, 0, new byte[120], 8192);
        List<VmbusServerState.OfferEntry> offers = List.of(
                new VmbusServerState.OfferEntry(1, TYPE, INSTANCE, 0x2001, false, false, false,
                        new VmbusServerState.ChannelEntry(VmbusServerState.ChannelEntry.OPEN, a, null)),
                new VmbusServerState.OfferEntry(2, TYPE, Guid.parse("7a0c6d1e-0000-4000-8000-000000000002"), 0x2002, true,
                        true, false, new VmbusServerState.ChannelEntry(VmbusServerState.ChannelEntry.CLOSING, a, b)),
                new VmbusServerState.OfferEntry(3, TYPE, Guid.parse("7a0c6d1e-0000-4000-8000-000000000003"), 0x2003, false,
                        false, false, new VmbusServerState.ChannelEntry(VmbusServerState.ChannelEntry.OPENING, b, null)),
                new VmbusServerState.OfferEntry(4, TYPE, Guid.parse("7a0c6d1e-0000-4000-8000-000000000004"), 0x2004, false,
                        false, true, null));
        List<VmbusServerState.GpadlEntry> gpadls = List.of(
                new VmbusServerState.GpadlEntry(0x10, 1, VmbusServerState.GpadlEntry.CREATED, new long[] {3, 4, 5, 6}, 4,
                        4 * 4096, 0, 1, true),
                new VmbusServerState.GpadlEntry(0x11, 3, VmbusServerState.GpadlEntry.GRANTING, new long[] {7, 8, 9}, 3,
                        3 * 4096, 0, 0, false),
                new VmbusServerState.GpadlEntry(0x12, 3, VmbusServerState.GpadlEntry.ASSEMBLING, new long[] {10, 0, 0}, 1,
                        3 * 4096 - 100, 100, 0, false));
        return new VmbusServerState(VmbusServerState.CONNECTED, 0x00050003, 0, 2, true, "", offers, gpadls,
                List.of(new VmbusServerState.PendingMessage(0, 2, new byte[] {10, 0, 0, 0, 0, 0, 0, 0})),
                List.of(new byte[] {3, 0, 0, 0, 0, 0, 0, 0}));
    }

    @Test
    void everyPhaseReadsBackAsWritten() {
        VmbusServerState s = everyPhase();
        VmbusServerState back = VmbusStateCodec.decode(VmbusStateCodec.encode(s), 64);
        assertEquals(s.offers(), back.offers());
        assertEquals(s.gpadls(), back.gpadls());
        assertEquals(s.pending(), back.pending());
        assertEquals(1, back.deferred().size());
        assertArrayEquals(s.deferred().getFirst(), back.deferred().getFirst());
        assertEquals(List.of(s.phase(), s.version(), s.targetVp(), s.targetSint()),
                List.of(back.phase(), back.version(), back.targetVp(), back.targetSint()));
        VmbusServerState failed = new VmbusServerState(VmbusServerState.FAILED, 0, 0, 0, false, "control-message flood",
                List.of(), List.of(), List.of(), List.of());
        assertEquals("control-message flood", VmbusStateCodec.decode(VmbusStateCodec.encode(failed), 1).failure());
    }

    @Test
    void aServerConfigForMoreVpsThanASavedStateCanNameIsRefusedNamingTheLimit() {
        VmbusServerState lastVp = new VmbusServerState(VmbusServerState.CONNECTED, 0x00050003,
                ServerConfig.defaults(VmbusStateCodec.MAX_VPS).vpCount() - 1, 2, false, "", List.of(), List.of(),
                List.of(), List.of());
        assertEquals(VmbusStateCodec.MAX_VPS - 1, VmbusStateCodec.decode(VmbusStateCodec.encode(lastVp), 1).targetVp());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.defaults(VmbusStateCodec.MAX_VPS + 1));
        assertEquals("vpCount 65 is more than the 64 VPs a saved VMBus state can name", e.getMessage());
    }

    @Test
    void everyTruncationAndAPageOutsideTheSavedRamAreRefused() {
        byte[] full = VmbusStateCodec.encode(everyPhase());
        for (int length = 0; length < full.length; length++) {
            byte[] cut = java.util.Arrays.copyOf(full, length);
            assertThrows(IllegalArgumentException.class, () -> VmbusStateCodec.decode(cut, 64), "length " + length);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VmbusStateCodec.decode(full, 5));
        assertEquals(true, e.getMessage().contains("outside the saved RAM"), e.getMessage());
    }

    /**
     * A guest may send any PFN in a GPADL_HEADER or GPADL_BODY and be saved before the grant refuses
     * it: its saved state must still read (the grant after the restore answers the guest).
     */
    @Test
    void pfnsOutsideTheRamOfAGpadlNotYetGrantedReadBack() {
        List<VmbusServerState.GpadlEntry> gpadls = List.of(
                new VmbusServerState.GpadlEntry(0x11, 3, VmbusServerState.GpadlEntry.GRANTING, new long[] {7, 0}, 2,
                        2 * 4096, 0, 0, false),
                new VmbusServerState.GpadlEntry(0x12, 3, VmbusServerState.GpadlEntry.ASSEMBLING,
                        new long[] {-1L, 1L << 40, 0}, 2, 3 * 4096, 0, 0, false));
        VmbusServerState s = new VmbusServerState(VmbusServerState.CONNECTED, 0x00050003, 0, 2, true, "", List.of(
                new VmbusServerState.OfferEntry(3, TYPE, INSTANCE, 0x2003, false, false, false, null)), gpadls, List.of(),
                List.of());
        assertEquals(gpadls, VmbusStateCodec.decode(VmbusStateCodec.encode(s), 64).gpadls());
    }

    /** Offer flag 4 (ended by the host) is version 3's: a version 2 body with it is refused, as is the flag on a channel not closed. */
    @Test
    void theEndedByHostFlagIsReadOnlyFromVersion3AndOnlyForAClosedChannel() {
        VmbusServerState s = new VmbusServerState(VmbusServerState.CONNECTED, 0x00050003, 0, 2, true, "", List.of(
                new VmbusServerState.OfferEntry(3, TYPE, INSTANCE, 0x2003, false, false, true, null)), List.of(), List.of(),
                List.of());
        byte[] body = VmbusStateCodec.encode(s);
        assertEquals(true, VmbusStateCodec.decode(body, 1).offers().getFirst().endedByHost());
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(body).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int flagsAt = 4 * 7 + 4 + 4 + 4 + 16 + 16; // header (7 u32), offer count, relid, connection id, two GUIDs
        assertEquals(4, b.getInt(flagsAt));
        b.putInt(0, 2);
        IllegalArgumentException old = assertThrows(IllegalArgumentException.class, () -> VmbusStateCodec.decode(body, 1));
        assertEquals(true, old.getMessage().contains("offer flags"), old.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new VmbusServerState.OfferEntry(1, TYPE, INSTANCE, 0x2001, false,
                false, true, new VmbusServerState.ChannelEntry(VmbusServerState.ChannelEntry.OPEN,
                        new VmbusServerState.Open(1, 0x10, 2, 0, new byte[120], 4096), null)));
    }

    @Test
    void hugeCountsAreRefusedBeforeAnythingIsAllocated() {
        byte[] full = VmbusStateCodec.encode(VmbusServerState.disconnected());
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(full).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(28, Integer.MAX_VALUE); // the offer count
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VmbusStateCodec.decode(full, 1));
        assertEquals(true, e.getMessage().contains("offer count"), e.getMessage());
    }
}
