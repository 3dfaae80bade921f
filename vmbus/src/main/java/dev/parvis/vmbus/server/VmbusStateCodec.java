package dev.parvis.vmbus.server;

import dev.parvis.abi.hv.HvConstants;
import dev.parvis.abi.vmbus.Guid;
import dev.parvis.abi.vmbus.OpenChannel;
import dev.parvis.abi.vmbus.VmbusConstants;

import java.lang.foreign.MemorySegment;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The bytes of a {@link VmbusServerState} in a saved VM (the body of saved.state's VMBUS section),
 * little-endian, and their strict reading: every count, length, phase, relid and page is checked
 * before anything is allocated from it, so a hostile file gets a clear error, never a huge array.
 *
 * <p>Version 2: {@code u32 version (2), u32 phase, u32 protocol version, u32 target VP, u32 target
 * SINT, u32 offers sent, u32 failure length, failure (UTF-8)}; {@code u32 offer count}, per offer
 * {@code u32 relid, u32 connection id, interface GUID, instance GUID, u32 flags (1 rescinded, 2
 * released, 4 ended by the host: version 3 only), u32 channel phase (0xFFFFFFFF none), [open], u32 has reopen, [open]} where an open is
 * {@code u32 open id, u32 ring GPADL, u32 downstream page offset, u32 target VP, u32 receive bytes,
 * u32 user data length (120), user data}; {@code u32 GPADL count}, per GPADL {@code u32 handle, u32
 * relid, u32 phase, u32 byte count, u32 byte offset, u32 user relid, u32 teardown requested, u32
 * filled, u32 PFN count, u64 PFN...}; {@code u32 pending count}, per message {@code u32 VP, u32
 * SINT, u32 length, bytes}; {@code u32 held-back count}, per message {@code u32 length, bytes}.
 * Version 3 is version 2 with the offer flag 4, which keeps the guest's clean-up CLOSE_CHANNEL of a
 * channel the host ended from counting as a guest error after a restore. Versions 2 and 1 (created
 * GPADLs and open channels only) are still read.
 */
public final class VmbusStateCodec {
    public static final int VERSION = 3;
    private static final int MAX_GPADLS = 4096;
    private static final int MAX_PFNS = 8190;
    private static final int MAX_QUEUED = 8192;
    private static final int MAX_FAILURE = 4096;
    /** The VPs a saved state can name (target VPs 0-63); {@link ServerConfig} refuses a larger child. */
    public static final int MAX_VPS = HvConstants.MAX_VPS_PER_PARTITION;
    private static final int NONE = -1;

    private VmbusStateCodec() {
    }

    public static byte[] encode(VmbusServerState s) {
        Writer w = new Writer();
        byte[] failure = s.failure().getBytes(StandardCharsets.UTF_8);
        w.u32(VERSION).u32(s.phase()).u32(s.version()).u32(s.targetVp()).u32(s.targetSint()).u32(s.offersSent() ? 1 : 0)
                .u32(failure.length).bytes(failure);
        w.u32(s.offers().size());
        for (VmbusServerState.OfferEntry o : s.offers()) {
            w.u32(o.relid()).u32(o.connectionId()).bytes(o.interfaceType().toBytes()).bytes(o.instance().toBytes())
                    .u32((o.rescinded() ? 1 : 0) | (o.released() ? 2 : 0) | (o.endedByHost() ? 4 : 0));
            VmbusServerState.ChannelEntry ch = o.channel();
            w.u32(ch == null ? NONE : ch.phase());
            if (ch != null) {
                open(w, ch.open());
                w.u32(ch.reopen() == null ? 0 : 1);
                if (ch.reopen() != null) {
                    open(w, ch.reopen());
                }
            }
        }
        w.u32(s.gpadls().size());
        for (VmbusServerState.GpadlEntry g : s.gpadls()) {
            long[] pfns = g.pfns();
            w.u32(g.handle()).u32(g.relid()).u32(g.phase()).u32(g.byteCount()).u32(g.byteOffset()).u32(g.user())
                    .u32(g.teardownRequested() ? 1 : 0).u32(g.filled()).u32(pfns.length);
            for (long pfn : pfns) {
                w.u64(pfn);
            }
        }
        w.u32(s.pending().size());
        for (VmbusServerState.PendingMessage p : s.pending()) {
            byte[] bytes = p.bytes();
            w.u32(p.vp()).u32(p.sint()).u32(bytes.length).bytes(bytes);
        }
        List<byte[]> deferred = s.deferred();
        w.u32(deferred.size());
        for (byte[] m : deferred) {
            w.u32(m.length).bytes(m);
        }
        return w.toArray();
    }

    private static void open(Writer w, VmbusServerState.Open o) {
        byte[] userData = o.userData();
        w.u32(o.openId()).u32(o.ringGpadl()).u32(o.downstreamPageOffset()).u32(o.targetVp()).u32(o.receiveBytes())
                .u32(userData.length).bytes(userData);
    }

    /**
     * Reads a VMBUS section body.
     *
     * @param pageCount the saved RAM's pages: every GPADL page must be one of GPN 1..pageCount
     * @throws IllegalArgumentException naming what is wrong
     */
    public static VmbusServerState decode(byte[] body, int pageCount) {
        ByteBuffer b = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
        try {
            int version = b.getInt();
            VmbusServerState s = switch (version) {
                case 1 -> Version1.read(b, pageCount);
                case 2, VERSION -> new Reader(b, pageCount, version == VERSION ? 7 : 3).state();
                default -> throw new IllegalArgumentException("VMBUS section version " + version
                        + " is not supported (this host reads 1 to " + VERSION + ")");
            };
            if (b.hasRemaining()) {
                throw new IllegalArgumentException(b.remaining() + " bytes after the VMBUS state");
            }
            return s;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("VMBUS state truncated at byte " + b.position());
        }
    }

    /** Version 2 and 3 reading; {@code maxFlags}: the offer flags the version has. */
    private record Reader(ByteBuffer b, int pageCount, int maxFlags) {
        VmbusServerState state() {
            int phase = range(b.getInt(), 0, VmbusServerState.FAILED, "connection phase");
            int protocol = b.getInt();
            int vp = range(b.getInt(), 0, MAX_VPS - 1, "target VP");
            int sint = range(b.getInt(), 0, 15, "target SINT");
            int offersSent = range(b.getInt(), 0, 1, "offers sent");
            String failure = new String(bytes(range(b.getInt(), 0, MAX_FAILURE, "failure length")), StandardCharsets.UTF_8);
            List<VmbusServerState.OfferEntry> offers = offers();
            List<VmbusServerState.GpadlEntry> gpadls = gpadls();
            List<VmbusServerState.PendingMessage> pending = pending();
            List<byte[]> deferred = deferred();
            return new VmbusServerState(phase, protocol, vp, sint, offersSent == 1, failure, offers, gpadls, pending,
                    deferred);
        }

        private List<VmbusServerState.OfferEntry> offers() {
            int offerCount = range(b.getInt(), 0, VmbusConstants.MAX_CHANNELS - 1, "offer count");
            List<VmbusServerState.OfferEntry> offers = new ArrayList<>();
            for (int i = 0; i < offerCount; i++) {
                offers.add(offer());
            }
            return offers;
        }

        private List<VmbusServerState.GpadlEntry> gpadls() {
            int gpadlCount = range(b.getInt(), 0, MAX_GPADLS, "GPADL count");
            List<VmbusServerState.GpadlEntry> gpadls = new ArrayList<>();
            for (int i = 0; i < gpadlCount; i++) {
                gpadls.add(gpadl());
            }
            return gpadls;
        }

        /** Messages waiting for a full message slot: each names the VP and SINT it is bound for. */
        private List<VmbusServerState.PendingMessage> pending() {
            int pendingCount = range(b.getInt(), 0, MAX_QUEUED, "pending message count");
            List<VmbusServerState.PendingMessage> pending = new ArrayList<>();
            for (int i = 0; i < pendingCount; i++) {
                int mvp = range(b.getInt(), 0, MAX_VPS - 1, "pending message VP");
                int msint = range(b.getInt(), 0, 15, "pending message SINT");
                pending.add(new VmbusServerState.PendingMessage(mvp, msint, message()));
            }
            return pending;
        }

        private List<byte[]> deferred() {
            int deferredCount = range(b.getInt(), 0, MAX_QUEUED, "held-back message count");
            List<byte[]> deferred = new ArrayList<>();
            for (int i = 0; i < deferredCount; i++) {
                deferred.add(message());
            }
            return deferred;
        }

        private VmbusServerState.OfferEntry offer() {
            int relid = range(b.getInt(), 1, VmbusConstants.MAX_CHANNELS - 1, "offer relid");
            int connectionId = b.getInt();
            Guid type = Guid.read(MemorySegment.ofArray(bytes(16)));
            Guid instance = Guid.read(MemorySegment.ofArray(bytes(16)));
            int flags = range(b.getInt(), 0, maxFlags, "offer flags");
            int phase = b.getInt();
            VmbusServerState.ChannelEntry channel = null;
            if (phase != NONE) {
                range(phase, VmbusServerState.ChannelEntry.OPENING, VmbusServerState.ChannelEntry.CLOSING, "channel phase");
                VmbusServerState.Open open = open();
                boolean hasReopen = range(b.getInt(), 0, phase == VmbusServerState.ChannelEntry.CLOSING ? 1 : 0,
                        "reopen flag") == 1;
                channel = new VmbusServerState.ChannelEntry(phase, open, hasReopen ? open() : null);
            }
            return new VmbusServerState.OfferEntry(relid, type, instance, connectionId, (flags & 1) != 0,
                    (flags & 2) != 0, (flags & 4) != 0, channel);
        }

        private VmbusServerState.Open open() {
            int openId = b.getInt();
            int gpadl = b.getInt();
            int downstream = range(b.getInt(), 0, MAX_PFNS, "downstream page offset");
            int vp = range(b.getInt(), 0, MAX_VPS - 1, "channel target VP");
            int receive = range(b.getInt(), 0, 1 << 20, "receive bytes");
            range(b.getInt(), OpenChannel.USER_DATA_SIZE, OpenChannel.USER_DATA_SIZE, "user data length");
            return new VmbusServerState.Open(openId, gpadl, downstream, vp, bytes(OpenChannel.USER_DATA_SIZE), receive);
        }

        private VmbusServerState.GpadlEntry gpadl() {
            int handle = b.getInt();
            int relid = range(b.getInt(), 1, VmbusConstants.MAX_CHANNELS - 1, "GPADL relid");
            int phase = range(b.getInt(), 0, VmbusServerState.GpadlEntry.CREATED, "GPADL phase");
            int byteCount = range(b.getInt(), 1, Integer.MAX_VALUE, "GPADL byte count");
            int byteOffset = range(b.getInt(), 0, 4095, "GPADL byte offset");
            int user = range(b.getInt(), 0, VmbusConstants.MAX_CHANNELS - 1, "GPADL user");
            int teardown = range(b.getInt(), 0, 1, "GPADL teardown flag");
            int filled = b.getInt();
            int count = range(b.getInt(), 1, Math.min(MAX_PFNS, b.remaining() / 8), "GPADL PFN count");
            range(filled, 0, count, "GPADL filled PFNs");
            if (Gpadls.pageCount(byteOffset, byteCount) != count) {
                throw new IllegalArgumentException("GPADL 0x%x: %d pages for byte count %d, offset %d"
                        .formatted(handle, count, byteCount, byteOffset));
            }
            long[] pfns = new long[count];
            for (int k = 0; k < count; k++) {
                pfns[k] = b.getLong();
                // A created GPADL's pages were granted, so they are RAM. The PFNs of one still being
                // assembled or granted are what the guest sent: the grant after the restore refuses
                // them as it would have, and answers the guest.
                if (phase == VmbusServerState.GpadlEntry.CREATED && (pfns[k] < 1 || pfns[k] > pageCount)) {
                    throw new IllegalArgumentException("GPADL 0x%x: GPN 0x%x outside the saved RAM".formatted(handle, pfns[k]));
                }
            }
            return new VmbusServerState.GpadlEntry(handle, relid, phase, pfns, filled, byteCount, byteOffset, user,
                    teardown == 1);
        }

        private byte[] message() {
            return bytes(range(b.getInt(), 0, VmbusConstants.MAX_MESSAGE_SIZE, "message length"));
        }

        private byte[] bytes(int n) {
            if (n > b.remaining()) {
                throw new IllegalArgumentException("VMBUS state truncated: " + n + " bytes needed, " + b.remaining() + " left");
            }
            byte[] out = new byte[n];
            b.get(out);
            return out;
        }
    }

    static int range(int value, int min, int max, String what) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " " + Integer.toUnsignedString(value) + " outside " + min + ".." + max);
        }
        return value;
    }

    /**
     * The first format: a connection with created GPADLs and open channels only. Offers, GPADLs and
     * channels come as three lists; a channel is joined to its offer by relid and names its ring's
     * GPADL, which so gets its user. Relids are checked as version 2's are, and a channel's must be
     * offered, so what is read is a state that version 2 writes and reads back.
     */
    private static final class Version1 {
        private final ByteBuffer b;
        private final int pageCount;
        private final Map<Integer, VmbusServerState.ChannelEntry> channels = new HashMap<>();
        private final Map<Integer, Integer> users = new HashMap<>();

        private Version1(ByteBuffer b, int pageCount) {
            this.b = b;
            this.pageCount = pageCount;
        }

        static VmbusServerState read(ByteBuffer b, int pageCount) {
            return new Version1(b, pageCount).state();
        }

        private VmbusServerState state() {
            int protocol = b.getInt();
            int vp = range(b.getInt(), 0, MAX_VPS - 1, "target VP");
            int sint = range(b.getInt(), 0, 15, "target SINT");
            int offersSent = range(b.getInt(), 0, 1, "offers sent");
            int offerCount = range(b.getInt(), 0, VmbusConstants.MAX_CHANNELS - 1, "offer count");
            int gpadlCount = range(b.getInt(), 0, MAX_GPADLS, "GPADL count");
            int channelCount = range(b.getInt(), 0, offerCount, "channel count");
            if (protocol == 0 && (offerCount | gpadlCount | channelCount | offersSent) != 0) {
                throw new IllegalArgumentException("offers, GPADLs or channels without a connection");
            }
            List<Offer> offers = new ArrayList<>();
            for (int i = 0; i < offerCount; i++) {
                offers.add(new Offer(range(b.getInt(), 1, VmbusConstants.MAX_CHANNELS - 1, "offer relid"), b.getInt(),
                        Guid.read(MemorySegment.ofArray(bytes(16))), Guid.read(MemorySegment.ofArray(bytes(16)))));
            }
            List<Gpadl> gpadls = new ArrayList<>();
            for (int i = 0; i < gpadlCount; i++) {
                gpadls.add(gpadl());
            }
            for (int i = 0; i < channelCount; i++) {
                channel(offers);
            }
            return new VmbusServerState(protocol == 0 ? VmbusServerState.DISCONNECTED : VmbusServerState.CONNECTED,
                    protocol, vp, sint, offersSent == 1, "", offerEntries(offers), gpadlEntries(gpadls), List.of(), List.of());
        }

        /** A version 1 offer, before its channel (if open) is known. */
        private record Offer(int relid, int connectionId, Guid type, Guid instance) {
        }

        /** A version 1 GPADL (always created), before its user is known and its page count checked. */
        private record Gpadl(int handle, int relid, int byteCount, int byteOffset, long[] pages) {
        }

        private Gpadl gpadl() {
            int[] f = new int[] {b.getInt(), range(b.getInt(), 1, VmbusConstants.MAX_CHANNELS - 1, "GPADL relid"), b.getInt(),
                    b.getInt()};
            int count = range(b.getInt(), 1, Math.min(MAX_PFNS, pageCount), "GPADL PFN count");
            b.getInt();
            long[] pages = new long[count];
            for (int k = 0; k < count; k++) {
                pages[k] = b.getLong();
                if (pages[k] < 1 || pages[k] > pageCount) {
                    throw new IllegalArgumentException("GPADL GPN 0x%x outside the saved RAM".formatted(pages[k]));
                }
            }
            return new Gpadl(f[0], f[1], f[2], f[3], pages);
        }

        /** An open channel of an offered relid: recorded by its relid, and as the user of its ring GPADL. */
        private void channel(List<Offer> offers) {
            int relid = b.getInt();
            if (offers.stream().noneMatch(o -> o.relid() == relid)) {
                // Else it would be dropped, but still named as its ring GPADL's user.
                throw new IllegalArgumentException("channel relid " + Integer.toUnsignedString(relid) + " is not offered");
            }
            int openId = b.getInt();
            int gpadl = b.getInt();
            int downstream = range(b.getInt(), 0, MAX_PFNS, "downstream page offset");
            int cvp = range(b.getInt(), 0, MAX_VPS - 1, "channel target VP");
            range(b.getInt(), OpenChannel.USER_DATA_SIZE, OpenChannel.USER_DATA_SIZE, "user data length");
            channels.put(relid, new VmbusServerState.ChannelEntry(VmbusServerState.ChannelEntry.OPEN,
                    new VmbusServerState.Open(openId, gpadl, downstream, cvp, bytes(OpenChannel.USER_DATA_SIZE), 0),
                    null));
            users.put(gpadl, relid);
        }

        private List<VmbusServerState.OfferEntry> offerEntries(List<Offer> offers) {
            List<VmbusServerState.OfferEntry> out = new ArrayList<>();
            for (Offer o : offers) {
                out.add(new VmbusServerState.OfferEntry(o.relid(), o.type(), o.instance(), o.connectionId(), false, false, false,
                        channels.get(o.relid())));
            }
            return out;
        }

        private List<VmbusServerState.GpadlEntry> gpadlEntries(List<Gpadl> gpadls) {
            List<VmbusServerState.GpadlEntry> out = new ArrayList<>();
            for (Gpadl g : gpadls) {
                long[] pages = g.pages();
                if (g.byteCount() <= 0 || g.byteOffset() < 0 || g.byteOffset() >= 4096
                        || Gpadls.pageCount(g.byteOffset(), g.byteCount()) != pages.length) {
                    throw new IllegalArgumentException("GPADL 0x%x: %d pages for byte count %d, offset %d"
                            .formatted(g.handle(), pages.length, g.byteCount(), g.byteOffset()));
                }
                out.add(new VmbusServerState.GpadlEntry(g.handle(), g.relid(), VmbusServerState.GpadlEntry.CREATED, pages,
                        pages.length, g.byteCount(), g.byteOffset(), users.getOrDefault(g.handle(), 0), false));
            }
            return out;
        }

        private byte[] bytes(int n) {
            byte[] out = new byte[n];
            b.get(out);
            return out;
        }
    }

    /** A little-endian byte sink that grows. */
    private static final class Writer {
        private ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);

        private void room(int n) {
            if (b.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(b.capacity() * 2, b.position() + n)).order(ByteOrder.LITTLE_ENDIAN);
                b.flip();
                bigger.put(b);
                b = bigger;
            }
        }

        Writer u32(int v) {
            room(4);
            b.putInt(v);
            return this;
        }

        Writer u64(long v) {
            room(8);
            b.putLong(v);
            return this;
        }

        Writer bytes(byte[] v) {
            room(v.length);
            b.put(v);
            return this;
        }

        byte[] toArray() {
            byte[] out = new byte[b.position()];
            b.flip();
            b.get(out);
            return out;
        }
    }
}
