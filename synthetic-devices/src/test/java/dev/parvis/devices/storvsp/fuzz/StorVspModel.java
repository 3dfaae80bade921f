package dev.parvis.devices.storvsp.fuzz;

import dev.parvis.abi.vmbus.PacketType;
import dev.parvis.devices.storvsp.fuzz.Expectation.ChannelCloses;
import dev.parvis.devices.storvsp.fuzz.Expectation.ControlReply;
import dev.parvis.devices.storvsp.fuzz.Expectation.Ignored;
import dev.parvis.devices.storvsp.fuzz.Expectation.NoData;
import dev.parvis.devices.storvsp.fuzz.Expectation.SrbOutcome;
import dev.parvis.devices.storvsp.fuzz.Expectation.SrbReply;
import dev.parvis.devices.storvsp.protocol.NtStatus;
import dev.parvis.devices.storvsp.protocol.ScsiRequest;
import dev.parvis.devices.storvsp.scsi.Sense;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fuzz test's model of one storvsc channel as the host must serve it (hyperv-abi-vmbus.md 10,
 * Linux's storvsc): the initialization handshake, then EXECUTE_SRB checked against what the guest
 * sent (request size, CDB length, addressing, buffer, direction, transfer limit) before the SCSI
 * oracle ({@link ScsiModel}) answers it. It follows the packets in the order the host reads them, so
 * it knows the handshake's state at each.
 */
final class StorVspModel {
    static final List<Integer> ACCEPTED_VERSIONS = List.of(0x0602, 0x0600, 0x0501, 0x0402, 0x0200);
    static final int COMPLETE_IO = 1;
    static final int EXECUTE_SRB = 3;
    private static final int WIN8 = 0x0501;
    private static final int FULL_PACKET = 64;
    private static final int SMALLEST_PACKET = 48;
    private static final int DISABLE_AUTOSENSE = 0x20;

    /** The handshake: BEGIN, version queries, properties, END (10.3). */
    sealed interface Phase {
        record AwaitingBegin() implements Phase {}

        /** After BEGIN; {@code version} is the one accepted so far, 0 for none. */
        record Negotiating(int version) implements Phase {}

        record Ready(int version) implements Phase {}
    }

    private final Map<Integer, ShadowDisk> luns;
    private final GuestDataArea area;
    private final int maxInFlight;
    private Phase phase = new Phase.AwaitingBegin();
    private int receiveBuffer;
    /** Requests of this batch that may wait at a disk, and of the previous batch that may still count. */
    private int diskRequests;
    private int carried;

    StorVspModel(Map<Integer, ShadowDisk> luns, GuestDataArea area, int maxInFlight) {
        this.luns = luns;
        this.area = area;
        this.maxInFlight = maxInFlight;
    }

    static int requestSize(int version) {
        return version >= WIN8 ? ScsiRequest.SIZE_WIN8 : ScsiRequest.SIZE_LEGACY;
    }

    static int senseSize(int version) {
        return version >= WIN8 ? ScsiRequest.SENSE_SIZE_WIN8 : ScsiRequest.SENSE_SIZE_LEGACY;
    }

    static int packetSize(int version) {
        return 12 + requestSize(version);
    }

    /** A fresh channel whose receive buffer (the largest packet the host reads) is {@code bytes}. */
    void channelOpened(int receiveBufferBytes) {
        phase = new Phase.AwaitingBegin();
        receiveBuffer = receiveBufferBytes;
        noneInFlight();
    }

    /**
     * The previous batch's requests have all completed. A disk's thread counts its request out of the
     * channel's bound just after sending the completion (so that a save's quiesce finds the completion
     * in the ring), so the previous batch's may still count when the next one's first requests arrive.
     */
    void newBatch() {
        carried = Math.min(diskRequests, maxInFlight);
        diskRequests = 0;
    }

    /** A fresh channel has nothing in flight. */
    private void noneInFlight() {
        carried = 0;
        diskRequests = 0;
    }

    Phase phase() {
        return phase;
    }

    Expectation predict(FuzzPacket p) {
        if (p.ringBytes() > receiveBuffer) {
            return new ChannelCloses(p.ringBytes());
        }
        boolean gpaDirect = p.type().equals(PacketType.DATA_USING_GPA_DIRECT);
        if (!gpaDirect && !p.type().equals(PacketType.DATA_INBAND)) {
            return new Ignored();
        }
        byte[] payload = p.paddedPayload();
        if (payload.length < SMALLEST_PACKET) {
            return control(NtStatus.INVALID_PARAMETER, new byte[52]);
        }
        ByteBuffer b = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        int operation = b.getInt(0);
        if (phase instanceof Phase.Ready r && operation == EXECUTE_SRB) {
            return srb(r.version(), payload, gpaDirect ? p.paddedHeader() : null);
        }
        if (gpaDirect) {
            return control(operation == EXECUTE_SRB ? NtStatus.INVALID_DEVICE_STATE : NtStatus.INVALID_PARAMETER,
                    new byte[52]);
        }
        return handshake(operation, Short.toUnsignedInt(b.getShort(12)));
    }

    /** A control operation in the current phase; moves the phase on as the host must. */
    private Expectation handshake(int operation, int askedVersion) {
        switch (phase) {
            case Phase.AwaitingBegin a when operation == 7 -> {
                phase = new Phase.Negotiating(0);
                return control(NtStatus.SUCCESS, new byte[52]);
            }
            case Phase.Negotiating n when operation == 9 -> {
                if (!ACCEPTED_VERSIONS.contains(askedVersion)) {
                    return control(NtStatus.REVISION_MISMATCH, new byte[52]);
                }
                phase = new Phase.Negotiating(askedVersion);
                return control(NtStatus.SUCCESS, versionEcho(askedVersion));
            }
            case Phase.Negotiating n when operation == 10 && n.version() != 0 -> {
                return control(NtStatus.SUCCESS, properties());
            }
            case Phase.Negotiating n when operation == 8 && n.version() != 0 -> {
                phase = new Phase.Ready(n.version());
                return control(NtStatus.SUCCESS, new byte[52]);
            }
            case Phase.Ready r when operation >= 4 && operation <= 6 -> { // RESET_LUN, RESET_ADAPTER, RESET_BUS
                return control(NtStatus.SUCCESS, new byte[52]);
            }
            case Phase.Ready r when operation == 13 -> { // CREATE_SUB_CHANNELS: the host offers none
                return control(NtStatus.INVALID_DEVICE_REQUEST, new byte[52]);
            }
            default -> {
                return control(NtStatus.INVALID_DEVICE_STATE, new byte[52]);
            }
        }
    }

    private ControlReply control(NtStatus status, byte[] body) {
        return control(Set.of(status.raw()), body);
    }

    /** The completion's size: the negotiated packet once the channel is ready, the full packet before. */
    private ControlReply control(Set<Integer> statuses, byte[] body) {
        int size = phase instanceof Phase.Ready r ? packetSize(r.version()) : FULL_PACKET;
        return new ControlReply(statuses, size, body);
    }

    /** vmstorage_protocol_version: the version accepted, revision 0. */
    private static byte[] versionEcho(int version) {
        byte[] body = new byte[52];
        ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) version);
        return body;
    }

    /** vmstorage_channel_properties: no sub-channels, no flags, the 2 MiB transfer limit. */
    private static byte[] properties() {
        byte[] body = new byte[52];
        ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).putInt(12, ScsiModel.MAX_TRANSFER);
        return body;
    }

    /** EXECUTE_SRB on a ready channel: transport checks, then the SCSI oracle. */
    private SrbReply srb(int version, byte[] payload, byte[] gpaHeader) {
        byte[] body = Arrays.copyOfRange(payload, 12, 12 + ScsiRequest.SIZE_WIN8); // zero past what came
        ScsiRequest srb = ScsiRequest.read(MemorySegment.ofArray(body));
        boolean badRequest = payload.length < packetSize(version) || srb.cdbLength() == 0
                || srb.cdbLength() > ScsiRequest.MAX_CDB;
        ScsiModel.Decoded decoded = ScsiModel.decode(srb.cdb());
        boolean target0 = srb.pathId() == 0 && srb.targetId() == 0;
        boolean toController = decoded.reportLuns() && target0;
        ShadowDisk unit = target0 ? luns.get(srb.lun()) : null;
        long declared = Integer.toUnsignedLong(srb.dataTransferLength());
        GuestRange range = null;
        boolean badBuffer = declared > ScsiModel.MAX_TRANSFER;
        if (gpaHeader != null) {
            GpaHeaderModel.Parsed parsed = GpaHeaderModel.parse(gpaHeader, area);
            badBuffer |= parsed.refusal() != null || parsed.ranges().size() != 1
                    || parsed.ranges().getFirst().byteCount() != declared;
            range = badBuffer ? null : parsed.ranges().getFirst();
        } else {
            badBuffer |= declared != 0;
        }
        List<SrbOutcome> allowed = new ArrayList<>();
        if (badRequest || badBuffer) {
            allowed.add(transport("invalid request", 0x06, 0));
        }
        if (!toController && unit == null) {
            allowed.add(transport("invalid LUN", 0x20, 0));
        }
        int senseSize = senseSize(version);
        if (allowed.isEmpty()) {
            allowed.addAll(executed(srb, decoded, unit, declared, range));
        }
        return new SrbReply(srb, packetSize(version), senseSize, allowed, range);
    }

    /** A request the transport accepts: the direction check, the in-flight bound, then what the unit answers. */
    private List<SrbOutcome> executed(ScsiRequest srb, ScsiModel.Decoded decoded, ShadowDisk unit, long declared,
                                      GuestRange range) {
        List<SrbOutcome> allowed = new ArrayList<>();
        boolean wrongDirection = declared != 0 && srb.dataIn() != (decoded.kind().dataIn ? ScsiRequest.DATA_IN
                : ScsiRequest.DATA_OUT);
        if (wrongDirection) {
            allowed.add(transport("invalid request", 0x06, 0));
            if (!decoded.refused()) {
                return allowed; // a command that moves data must say the way it moves; a refused one may be answered as refused
            }
        }
        if (diskRequests + carried >= maxInFlight) {
            allowed.add(transport("busy", 0x05, 0x08));
        }
        if (decoded.touchesDisk()) {
            diskRequests++;
        }
        ScsiModel.Buffer buffer = new ScsiModel.Buffer() {
            @Override
            public long length() {
                return declared;
            }

            @Override
            public byte[] head(int count) {
                return area.expected(range, count);
            }
        };
        boolean autosense = (srb.srbFlags() & DISABLE_AUTOSENSE) == 0;
        for (ScsiModel.Answer a : ScsiModel.answers(decoded, unit, luns.keySet().stream().sorted().toList(), buffer)) {
            allowed.add(a.sense() == null ? new SrbOutcome("GOOD", 0x01, 0, null, a.transferred(), a.effect())
                    : checkCondition(a.sense(), autosense));
        }
        return allowed;
    }

    private static SrbOutcome checkCondition(Sense sense, boolean autosense) {
        return new SrbOutcome("CHECK " + sense, autosense ? 0x84 : 0x04, 0x02, autosense ? sense : null, 0, new NoData());
    }

    private static SrbOutcome transport(String kind, int srbStatus, int scsiStatus) {
        return new SrbOutcome(kind, srbStatus, scsiStatus, null, 0, new NoData());
    }
}
