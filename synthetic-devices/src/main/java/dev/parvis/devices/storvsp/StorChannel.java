package dev.parvis.devices.storvsp;

import dev.parvis.abi.vmbus.PacketType;
import dev.parvis.devices.storvsp.protocol.ChannelProperties;
import dev.parvis.devices.storvsp.protocol.NtStatus;
import dev.parvis.devices.storvsp.protocol.ProtocolVersion;
import dev.parvis.devices.storvsp.protocol.VersionBody;
import dev.parvis.devices.storvsp.protocol.VstorOperation;
import dev.parvis.devices.storvsp.protocol.VstorPacket;
import dev.parvis.vmbus.device.ChannelHandler;
import dev.parvis.vmbus.device.SendResult;
import dev.parvis.vmbus.device.VmbusChannel;
import dev.parvis.vmbus.ring.IncomingPacket;
import dev.parvis.vmcore.log.LogBudget;
import java.lang.foreign.MemorySegment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open storvsc channel: the initialization handshake, then EXECUTE_SRB requests handed to
 * {@link SrbExecution}. Runs in the channel's turns; only completions of disk requests come from the
 * disks' threads. Every request the guest sends gets exactly one completion with its transaction id.
 */
final class StorChannel implements ChannelHandler {
    private static final Logger LOG = LoggerFactory.getLogger(StorChannel.class);

    private final StorVsp controller;
    private final VmbusChannel channel;
    private final SrbExecution execution;
    private final LogBudget guestErrors = LogBudget.standard();
    private final LogBudget hostErrors = LogBudget.standard();
    private volatile InitState state = InitState.AWAITING_BEGIN;

    StorChannel(StorVsp controller, VmbusChannel channel) {
        this(controller, channel, InitState.AWAITING_BEGIN);
    }

    /** A channel restored from a saved VM, its initialization where it was saved. */
    StorChannel(StorVsp controller, VmbusChannel channel, InitState restored) {
        this.controller = controller;
        this.channel = channel;
        this.execution = new SrbExecution(controller, this);
        this.state = restored;
    }

    /** Where this channel's initialization stands, for a save of the (quiesced) VM. */
    SavedChannel save() {
        return switch (state) {
            case InitState.AwaitingBegin a -> new SavedChannel(channel.relid(), SavedChannel.AWAITING_BEGIN, 0);
            case InitState.Negotiating n -> new SavedChannel(channel.relid(), SavedChannel.NEGOTIATING,
                    n.version() == null ? 0 : n.version().majorMinor());
            case InitState.Ready r -> new SavedChannel(channel.relid(), SavedChannel.READY, r.version().majorMinor());
        };
    }

    /** The state a saved channel resumes in; a version storvsp does not speak is refused. */
    static InitState restoredState(SavedChannel saved) {
        ProtocolVersion v = saved.version() == 0 ? null : new ProtocolVersion(saved.version());
        if (v != null && !v.accepted()) {
            throw new IllegalArgumentException("channel %d: saved protocol version 0x%x is not one storvsp speaks"
                    .formatted(saved.relid(), saved.version()));
        }
        return switch (saved.phase()) {
            case SavedChannel.AWAITING_BEGIN -> InitState.AWAITING_BEGIN;
            case SavedChannel.NEGOTIATING -> new InitState.Negotiating(v);
            default -> new InitState.Ready(v);
        };
    }

    VmbusChannel channel() {
        return channel;
    }

    /** Requests of this channel admitted and not yet completed into the guest's ring. */
    int unanswered() {
        return execution.unanswered();
    }

    @Override
    public void onPacket(IncomingPacket packet) {
        boolean gpaDirect = packet.type().equals(PacketType.DATA_USING_GPA_DIRECT);
        if (!gpaDirect && !packet.type().equals(PacketType.DATA_INBAND)) {
            guestError("packet type " + packet.type() + " ignored");
            return;
        }
        MemorySegment payload = packet.payload();
        if (payload.byteSize() < VstorPacket.MIN_SIZE) {
            guestError("vstor packet of " + payload.byteSize() + " bytes");
            complete(packet.transactionId(), VstorPacket.completion(NtStatus.INVALID_PARAMETER));
            return;
        }
        InitState now = state;
        if (now instanceof InitState.Ready ready && VstorPacket.operationOf(payload).equals(VstorOperation.EXECUTE_SRB)) {
            // The data path: the SRB is read straight from the packet, no copy of the vstor_packet.
            execution.start(packet, VstorPacket.bodyOf(payload), ready.version(), payload.byteSize());
            return;
        }
        VstorPacket request = VstorPacket.read(payload);
        if (gpaDirect) {
            // An SRB (the one operation that carries a buffer) is out of state before the handshake
            // ended, as it is inband (what Hyper-V answers); any other operation has no buffer to give.
            boolean early = VstorOperation.EXECUTE_SRB.equals(request.operation());
            guestError(request.operation() + " in a GPA-direct packet" + (early ? " in state " + now.getClass().getSimpleName() : ""));
            complete(packet.transactionId(),
                    VstorPacket.completion(early ? NtStatus.INVALID_DEVICE_STATE : NtStatus.INVALID_PARAMETER));
            return;
        }
        complete(packet.transactionId(), handshake(now, request, (int) Math.min(payload.byteSize(), VstorPacket.SIZE)));
    }

    /** Answers one control operation and moves the handshake on. */
    private VstorPacket handshake(InitState now, VstorPacket request, int size) {
        VstorOperation op = request.operation();
        return switch (now) {
            case InitState.AwaitingBegin a when op.equals(VstorOperation.BEGIN_INITIALIZATION) -> {
                state = new InitState.Negotiating(null);
                yield VstorPacket.completion(NtStatus.SUCCESS);
            }
            case InitState.Negotiating n when op.equals(VstorOperation.QUERY_PROTOCOL_VERSION) -> queryVersion(request);
            case InitState.Negotiating n when op.equals(VstorOperation.QUERY_PROPERTIES) && n.version() != null ->
                    properties();
            case InitState.Negotiating n when op.equals(VstorOperation.END_INITIALIZATION) && n.version() != null -> {
                state = new InitState.Ready(n.version());
                yield VstorPacket.completion(NtStatus.SUCCESS);
            }
            case InitState.Ready r when isReset(op) -> VstorPacket.completion(NtStatus.SUCCESS);
            case InitState.Ready r when op.equals(VstorOperation.CREATE_SUB_CHANNELS) ->
                    VstorPacket.completion(NtStatus.INVALID_DEVICE_REQUEST); // max_channel_count is 0
            default -> {
                guestError(op + " in state " + now.getClass().getSimpleName());
                yield VstorPacket.completion(NtStatus.INVALID_DEVICE_STATE);
            }
        };
    }

    private static boolean isReset(VstorOperation op) {
        return op.equals(VstorOperation.RESET_BUS) || op.equals(VstorOperation.RESET_LUN)
                || op.equals(VstorOperation.RESET_ADAPTER);
    }

    /** Accepts a version storvsp speaks (the reply echoes it) or answers REVISION_MISMATCH. */
    private VstorPacket queryVersion(VstorPacket request) {
        VersionBody asked = VersionBody.read(request.bodySegment());
        if (!asked.version().accepted()) {
            return VstorPacket.completion(NtStatus.REVISION_MISMATCH);
        }
        state = new InitState.Negotiating(asked.version());
        VstorPacket reply = VstorPacket.completion(NtStatus.SUCCESS);
        new VersionBody(asked.version(), 0).write(reply.bodySegment());
        return reply;
    }

    private static VstorPacket properties() {
        VstorPacket reply = VstorPacket.completion(NtStatus.SUCCESS);
        new ChannelProperties(0, 0, StorVsp.MAX_TRANSFER_BYTES).write(reply.bodySegment());
        return reply;
    }

    /** Sends {@code reply} as the completion of {@code transactionId}, sized for the negotiated version. */
    void complete(long transactionId, VstorPacket reply) {
        int size = state instanceof InitState.Ready r ? r.version().packetSize() : VstorPacket.SIZE;
        completeWith(transactionId, reply.toSegment(size));
    }

    /** Sends {@code packet}, already the wire bytes of a vstor_packet, as the completion of {@code transactionId}. */
    void completeWith(long transactionId, MemorySegment packet) {
        SendResult result = channel.sendCompletion(transactionId, packet);
        if (result != SendResult.SENT && result != SendResult.CLOSED) {
            guestError("completion of transaction " + transactionId + " not sent: " + result);
        }
    }

    /** Tells a ready guest to rescan the bus (a LUN came or went); never waits for ring space. */
    void sendEnumerateBus() {
        if (state instanceof InitState.Ready r) {
            VstorPacket rescan = new VstorPacket(VstorOperation.ENUMERATE_BUS, 0, NtStatus.SUCCESS, new byte[0]);
            SendResult result = channel.trySendInband(0, rescan.toSegment(r.version().packetSize()), false);
            if (result != SendResult.SENT && result != SendResult.CLOSED) {
                LOG.warn("storvsp {}: ENUMERATE_BUS not sent: {}", controller.instance(), result);
            }
        }
    }

    /** A request failed through no fault of the guest's (rate-limited: a guest can make it happen often). */
    void hostError(String what, RuntimeException cause) {
        long suppressed = hostErrors.acquire();
        if (suppressed >= 0) {
            LOG.error("storvsp {} channel {}: {}{}", controller.instance(), channel.relid(), what,
                    suppressed > 0 ? " (" + suppressed + " similar lines suppressed)" : "", cause);
        }
    }

    void guestError(String what) {
        long suppressed = guestErrors.acquire();
        if (suppressed >= 0) {
            LOG.warn("storvsp {} channel {}: {}{}", controller.instance(), channel.relid(), what,
                    suppressed > 0 ? " (" + suppressed + " similar lines suppressed)" : "");
        }
    }

    @Override
    public void onClose() {
        controller.closed(this);
    }
}
