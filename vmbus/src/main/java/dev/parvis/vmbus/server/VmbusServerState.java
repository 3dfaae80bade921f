package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.Guid;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The root-side state of one VMBus connection, as {@link VmbusServer#snapshot} takes it and
 * {@link VmbusServer#restore} rebuilds it (save/restore). The channels' rings are not part of it:
 * they live in guest memory, which the VM's saved state carries.
 *
 * @param version    the negotiated protocol version ({@code VmbusVersion.raw()}), 0 when not connected
 * @param targetVp   the VP control messages go to
 * @param targetSint the SINT control messages go to
 * @param offersSent whether REQUEST_OFFERS was answered
 */
public record VmbusServerState(int version, int targetVp, int targetSint, boolean offersSent, List<OfferEntry> offers,
                               List<GpadlEntry> gpadls, List<ChannelEntry> channels) {

    public VmbusServerState {
        offers = List.copyOf(offers);
        gpadls = List.copyOf(gpadls);
        channels = List.copyOf(channels);
    }

    public boolean connected() {
        return version != 0;
    }

    /** One offered relid: its device (interface type and instance) and the guest-to-root connection id. */
    public record OfferEntry(int relid, Guid interfaceType, Guid instance, int connectionId) {
        public OfferEntry {
            Objects.requireNonNull(interfaceType);
            Objects.requireNonNull(instance);
        }
    }

    /** One created GPADL: handle, owning relid, the guest pages in order, byte count and offset. */
    public record GpadlEntry(int handle, int relid, long[] gpns, int byteCount, int byteOffset) {
        public GpadlEntry {
            gpns = gpns.clone();
        }

        @Override
        public long[] gpns() {
            return gpns.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof GpadlEntry g && g.handle == handle && g.relid == relid && g.byteCount == byteCount
                    && g.byteOffset == byteOffset && Arrays.equals(g.gpns, gpns);
        }

        @Override
        public int hashCode() {
            return Objects.hash(handle, relid, byteCount, byteOffset, Arrays.hashCode(gpns));
        }
    }

    /** One open channel: relid, open id, ring GPADL, downstream ring page offset, target VP, OPEN_CHANNEL user data. */
    public record ChannelEntry(int relid, int openId, int ringGpadl, int downstreamPageOffset, int targetVp, byte[] userData) {
        public ChannelEntry {
            userData = userData.clone();
        }

        @Override
        public byte[] userData() {
            return userData.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ChannelEntry c && c.relid == relid && c.openId == openId && c.ringGpadl == ringGpadl
                    && c.downstreamPageOffset == downstreamPageOffset && c.targetVp == targetVp
                    && Arrays.equals(c.userData, userData);
        }

        @Override
        public int hashCode() {
            return Objects.hash(relid, openId, ringGpadl, downstreamPageOffset, targetVp, Arrays.hashCode(userData));
        }
    }
}
