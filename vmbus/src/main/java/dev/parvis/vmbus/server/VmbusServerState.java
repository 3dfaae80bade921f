package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.Guid;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The whole root-side state of one VMBus connection at any instant, as {@link VmbusServer#snapshot}
 * takes it and {@link VmbusServer#restore} rebuilds it: the connection, every offer with its channel
 * in whatever phase (opening, open, closing), every GPADL in whatever phase (being assembled, being
 * granted, created), the messages the guest's queue had not taken yet and the guest's messages held
 * back behind them. The rings are not part of it: they live in guest memory, which the VM's saved
 * state carries, at a packet boundary (the channels were paused there).
 *
 * @param phase      {@link #DISCONNECTED}, {@link #CONNECTED} or {@link #FAILED}
 * @param version    the negotiated protocol version ({@code VmbusVersion.raw()}), 0 unless connected
 * @param failure    why the connection failed, or "" when it did not
 */
public record VmbusServerState(int phase, int version, int targetVp, int targetSint, boolean offersSent, String failure,
                               List<OfferEntry> offers, List<GpadlEntry> gpadls, List<PendingMessage> pending,
                               List<byte[]> deferred) {
    public static final int DISCONNECTED = 0;
    public static final int CONNECTED = 1;
    public static final int FAILED = 2;

    public VmbusServerState {
        Objects.requireNonNull(failure);
        offers = List.copyOf(offers);
        gpadls = List.copyOf(gpadls);
        pending = List.copyOf(pending);
        deferred = deferred.stream().map(byte[]::clone).toList();
        if (phase < DISCONNECTED || phase > FAILED) {
            throw new IllegalArgumentException("connection phase " + phase);
        }
    }

    /** The state of a server that never saw the guest. */
    public static VmbusServerState disconnected() {
        return new VmbusServerState(DISCONNECTED, 0, 0, 0, false, "", List.of(), List.of(), List.of(), List.of());
    }

    public boolean connected() {
        return phase == CONNECTED;
    }

    @Override
    public List<byte[]> deferred() {
        return deferred.stream().map(byte[]::clone).toList();
    }

    /**
     * One offered relid: its device (interface type and instance), the guest-to-root connection id,
     * whether it was rescinded (and released while still closing), whether the host ended its open
     * channel (so the guest's CLOSE_CHANNEL is still to come, as clean-up), and its channel (null
     * when closed).
     */
    public record OfferEntry(int relid, Guid interfaceType, Guid instance, int connectionId, boolean rescinded,
                             boolean released, boolean endedByHost, ChannelEntry channel) {
        public OfferEntry {
            Objects.requireNonNull(interfaceType);
            Objects.requireNonNull(instance);
            if (endedByHost && channel != null) {
                throw new IllegalArgumentException("relid " + relid + ": ended by the host, yet its channel is not closed");
            }
        }
    }

    /**
     * A channel that is not closed: {@link #OPENING}, {@link #OPEN} or {@link #CLOSING}, with what
     * OPEN_CHANNEL asked for; {@code reopen} is an OPEN_CHANNEL that waits for the close (CLOSING only).
     */
    public record ChannelEntry(int phase, Open open, Open reopen) {
        public static final int OPENING = 0;
        public static final int OPEN = 1;
        public static final int CLOSING = 2;

        public ChannelEntry {
            Objects.requireNonNull(open);
            if (phase < OPENING || phase > CLOSING || (reopen != null && phase != CLOSING)) {
                throw new IllegalArgumentException("channel phase " + phase);
            }
        }
    }

    /**
     * What OPEN_CHANNEL asked for (hyperv-abi-vmbus.md section 6.4) and the receive buffer the host
     * sized for it; also the server's open request while the channel is opening, open or closing.
     */
    public record Open(int openId, int ringGpadl, int downstreamPageOffset, int targetVp, byte[] userData,
                       int receiveBytes) {
        public Open {
            userData = userData == null ? new byte[0] : userData.clone();
        }

        @Override
        public byte[] userData() {
            return userData.clone();
        }

        Open withTargetVp(int vp) {
            return new Open(openId, ringGpadl, downstreamPageOffset, vp, userData, receiveBytes);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Open x && x.openId == openId && x.ringGpadl == ringGpadl
                    && x.downstreamPageOffset == downstreamPageOffset && x.targetVp == targetVp
                    && x.receiveBytes == receiveBytes && Arrays.equals(x.userData, userData);
        }

        @Override
        public int hashCode() {
            return Objects.hash(openId, ringGpadl, downstreamPageOffset, targetVp, receiveBytes, Arrays.hashCode(userData));
        }
    }

    /**
     * One GPADL in any phase: {@link #ASSEMBLING} ({@code filled} of {@code pfns} received),
     * {@link #GRANTING} or {@link #CREATED} ({@code user}: the relid whose rings live there, or 0);
     * {@code teardownRequested}: GPADL_TEARDOWN came and waits for the grant or the channel.
     */
    public record GpadlEntry(int handle, int relid, int phase, long[] pfns, int filled, int byteCount, int byteOffset,
                             int user, boolean teardownRequested) {
        public static final int ASSEMBLING = 0;
        public static final int GRANTING = 1;
        public static final int CREATED = 2;

        public GpadlEntry {
            pfns = pfns.clone();
            if (phase < ASSEMBLING || phase > CREATED || filled < 0 || filled > pfns.length
                    || (phase != ASSEMBLING && filled != pfns.length)) {
                throw new IllegalArgumentException("GPADL phase " + phase + ", " + filled + " of " + pfns.length + " PFNs");
            }
        }

        @Override
        public long[] pfns() {
            return pfns.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof GpadlEntry g && g.handle == handle && g.relid == relid && g.phase == phase
                    && g.filled == filled && g.byteCount == byteCount && g.byteOffset == byteOffset && g.user == user
                    && g.teardownRequested == teardownRequested && Arrays.equals(g.pfns, pfns);
        }

        @Override
        public int hashCode() {
            return Objects.hash(handle, relid, phase, filled, byteCount, byteOffset, user, teardownRequested,
                    Arrays.hashCode(pfns));
        }
    }

    /** A message for the guest its queue had not taken yet: where it goes and its bytes. */
    public record PendingMessage(int vp, int sint, byte[] bytes) {
        public PendingMessage {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PendingMessage p && p.vp == vp && p.sint == sint && Arrays.equals(p.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return Objects.hash(vp, sint, Arrays.hashCode(bytes));
        }
    }
}
