package dev.parvis.devices.storvsp;

import dev.parvis.abi.vmbus.PacketType;
import dev.parvis.devices.storvsp.protocol.NtStatus;
import dev.parvis.devices.storvsp.protocol.ProtocolVersion;
import dev.parvis.devices.storvsp.protocol.ScsiRequest;
import dev.parvis.devices.storvsp.protocol.SrbStatus;
import dev.parvis.devices.storvsp.protocol.VstorOperation;
import dev.parvis.devices.storvsp.protocol.VstorPacket;
import dev.parvis.devices.storvsp.scsi.CdbDecoder;
import dev.parvis.devices.storvsp.scsi.LogicalUnit;
import dev.parvis.devices.storvsp.scsi.ScsiCommand;
import dev.parvis.devices.storvsp.scsi.ScsiData;
import dev.parvis.devices.storvsp.scsi.ScsiResult;
import dev.parvis.devices.storvsp.scsi.ScsiStatus;
import dev.parvis.vmbus.device.GpaDirectBuffers;
import dev.parvis.vmbus.device.GpaDirectRange;
import dev.parvis.vmbus.device.GpaDirectRefusedException;
import dev.parvis.vmbus.ring.IncomingPacket;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * EXECUTE_SRB on one channel: checks the request against what the guest actually sent (the SRB's
 * addressing, CDB length, data direction and transfer length against its GPA-direct buffer), then
 * runs the command, on the disk's threads when it touches the file. Requests complete in whatever
 * order they finish; at most {@link StorVsp#maxInFlightPerChannel} are in flight, and one past that
 * is answered BUSY at once, so a flood costs the host a bounded amount.
 *
 * <p>Errors the guest caused are SRB statuses: INVALID_REQUEST for a malformed SRB or buffer,
 * INVALID_LUN for a unit that is not there, BUSY past the in-flight bound; a command that reaches a
 * unit ends GOOD or in CHECK CONDITION with autosense (ERROR | AUTOSENSE_VALID).
 */
final class SrbExecution {
    private static final int DISABLE_AUTOSENSE = 0x20;
    /** The largest READ a turn serves from the page cache while other requests are in flight. */
    static final int TURN_READ_BYTES = 16 * 1024;
    /** Small reads sent to the disk's threads untried after one the page cache could not serve. */
    static final int SKIP_AFTER_MISS = 32;

    private final StorVsp controller;
    private final StorChannel channel;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Small reads left to hand to the disk's threads untried since the last miss; the channel's turns only. */
    private int skipInTurn;

    SrbExecution(StorVsp controller, StorChannel channel) {
        this.controller = controller;
        this.channel = channel;
    }

    int inFlight() {
        return inFlight.get();
    }

    /** One EXECUTE_SRB packet whose 52-byte vstor_packet body is {@code body}, during the channel's turn. */
    void start(IncomingPacket packet, MemorySegment body, ProtocolVersion version, long payloadBytes) {
        ScsiRequest srb = ScsiRequest.read(body);
        long tx = packet.transactionId();
        if (payloadBytes < version.packetSize() || srb.cdbLength() == 0 || srb.cdbLength() > ScsiRequest.MAX_CDB) {
            reject(tx, srb, version, SrbStatus.INVALID_REQUEST, "SRB of " + payloadBytes + " bytes, CDB length " + srb.cdbLength());
            return;
        }
        ScsiCommand command = CdbDecoder.decode(srb.cdb());
        if (command instanceof ScsiCommand.ReportLuns && srb.pathId() == 0 && srb.targetId() == 0) {
            runWithBuffer(packet, srb, version, command, null);
            return;
        }
        StorVsp.Attached unit = srb.pathId() == 0 && srb.targetId() == 0 ? controller.lun(srb.lun()).orElse(null) : null;
        if (unit == null) {
            reject(tx, srb, version, SrbStatus.INVALID_LUN, null);
            return;
        }
        runWithBuffer(packet, srb, version, command, unit);
    }

    private void runWithBuffer(IncomingPacket packet, ScsiRequest srb, ProtocolVersion version, ScsiCommand command,
                               StorVsp.Attached unit) {
        long tx = packet.transactionId();
        GpaDirectBuffers buffers = null;
        ScsiData data = ScsiData.NONE;
        long declared = Integer.toUnsignedLong(srb.dataTransferLength());
        if (packet.type().equals(PacketType.DATA_USING_GPA_DIRECT)) {
            try {
                buffers = channel.channel().mapGpaDirect(packet, true);
            } catch (GpaDirectRefusedException e) {
                reject(tx, srb, version, SrbStatus.INVALID_REQUEST, e.getMessage());
                return;
            }
            if (buffers.ranges().size() != 1 || buffers.ranges().getFirst().byteCount() != declared) {
                reject(tx, srb, version, SrbStatus.INVALID_REQUEST, "data_transfer_length " + declared
                        + " does not match the buffer of " + buffers.ranges().size() + " range(s)");
                return;
            }
            GpaDirectRange range = buffers.ranges().getFirst();
            data = new ScsiData(range.pieces(), range.byteCount());
        } else if (declared != 0) {
            reject(tx, srb, version, SrbStatus.INVALID_REQUEST, "data_transfer_length " + declared + " without a buffer");
            return;
        }
        if (declared > StorVsp.MAX_TRANSFER_BYTES || !directionMatches(srb, command, declared)) {
            reject(tx, srb, version, SrbStatus.INVALID_REQUEST, "transfer of " + declared + " bytes, data_in " + srb.dataIn());
            return;
        }
        int requests = inFlight.incrementAndGet();
        if (requests > controller.maxInFlightPerChannel()) {
            inFlight.decrementAndGet();
            channel.completeWith(tx, completion(srb, version, SrbStatus.BUSY, ScsiStatus.BUSY.raw(), 0, null));
            return;
        }
        dispatch(tx, srb, version, command, unit, data, buffers, requests == 1 && !channel.channel().morePacketsWaiting());
    }

    /**
     * Runs the command: file I/O on the disk's threads, the rest here. A READ that the page cache can
     * serve at once completes in this turn instead when it is {@code alone} (no other request of the
     * channel in flight or waiting: a handoff would only add a thread wake-up to its latency) or small
     * (up to {@link #TURN_READ_BYTES}: copying it costs less than handing it over). The turn owes the
     * guest one signal for all the answers it wrote ({@code VmbusChannel.sendCompletion} from a turn),
     * so a burst of 32 cached 4 KiB reads costs one guest wake-up and no disk-thread wake-up
     * ({@code ./parvis bench storage}: 4.6-5.5 us of CPU per read instead of 5.9-7.0 on two cores).
     * After a read the cache could not serve, the next {@link #SKIP_AFTER_MISS} small reads go
     * straight to the disk's threads: a miss costs the turn tens of microseconds, which a burst of
     * uncached reads must not pay one after another on the channel's only turn.
     */
    private void dispatch(long tx, ScsiRequest srb, ProtocolVersion version, ScsiCommand command, StorVsp.Attached unit,
                          ScsiData data, GpaDirectBuffers buffers, boolean alone) {
        if (unit == null || !LogicalUnit.touchesDisk(command) || controller.quiescing()) {
            runAndRelease(tx, srb, version, command, unit, data, buffers);
            return;
        }
        if (command instanceof ScsiCommand.Read && tryInTurn(alone, data)) {
            ScsiResult cached = readIfCached(command, unit, data);
            if (cached != null) {
                finish(tx, srb, version, cached);
                release(buffers);
                return;
            }
            skipInTurn = SKIP_AFTER_MISS;
        }
        if (!unit.queue().submit(() -> runAndRelease(tx, srb, version, command, unit, data, buffers))) {
            release(buffers);
            channel.completeWith(tx, completion(srb, version, SrbStatus.INVALID_LUN, 0, 0, null));
        }
    }

    /** Whether this turn tries the page cache for a READ of {@code data} (see {@link #dispatch}). */
    private boolean tryInTurn(boolean alone, ScsiData data) {
        if (alone) {
            return true;
        }
        if (data.length() > TURN_READ_BYTES) {
            return false;
        }
        if (skipInTurn > 0) {
            skipInTurn--;
            return false;
        }
        return true;
    }

    /** The result of a READ served from memory without waiting, or null (the disk's threads then run it). */
    private static ScsiResult readIfCached(ScsiCommand command, StorVsp.Attached unit, ScsiData data) {
        try {
            return unit.unit().executeIfCached(command, data);
        } catch (IllegalStateException | IllegalArgumentException | IndexOutOfBoundsException e) {
            return null; // e.g. the buffer left the guest: the disk thread's run reports it as the guest's error
        }
    }

    private void runAndRelease(long tx, ScsiRequest srb, ProtocolVersion version, ScsiCommand command,
                               StorVsp.Attached unit, ScsiData data, GpaDirectBuffers buffers) {
        try {
            finish(tx, srb, version, run(command, unit, data));
        } catch (IllegalStateException gone) {
            // A page of the buffer left the guest (or the guest is going away) while the request was queued.
            channel.guestError("buffer of transaction " + tx + " no longer accessible: " + gone.getMessage());
            channel.completeWith(tx, completion(srb, version, SrbStatus.INVALID_REQUEST, 0, 0, null));
        } finally {
            release(buffers);
        }
    }

    /** Ends a request that passed the in-flight bound: its buffers go back, its slot is free. */
    private void release(GpaDirectBuffers buffers) {
        if (buffers != null) {
            buffers.close();
        }
        inFlight.decrementAndGet();
    }

    private ScsiResult run(ScsiCommand command, StorVsp.Attached unit, ScsiData data) {
        if (command instanceof ScsiCommand.ReportLuns r) {
            return ReportLuns.answer(r, controller, data);
        }
        return unit.unit().execute(command, data);
    }

    /** A command with data must say the direction it has; one without data may say anything. */
    private static boolean directionMatches(ScsiRequest srb, ScsiCommand command, long declared) {
        if (declared == 0 || command instanceof ScsiCommand.Refused) {
            return true;
        }
        return srb.dataIn() == (command.dataIn() ? ScsiRequest.DATA_IN : ScsiRequest.DATA_OUT);
    }

    private void finish(long tx, ScsiRequest srb, ProtocolVersion version, ScsiResult result) {
        if (result.good()) {
            channel.completeWith(tx, completion(srb, version, SrbStatus.SUCCESS, 0, result.transferred(), null));
            return;
        }
        boolean autosense = (srb.srbFlags() & DISABLE_AUTOSENSE) == 0 && result.sense() != null;
        SrbStatus status = autosense ? SrbStatus.ERROR.withAutosense() : SrbStatus.ERROR;
        channel.completeWith(tx, completion(srb, version, status, result.status().raw(), result.transferred(),
                autosense ? result.sense().fixedFormat(version.senseSize()) : null));
    }

    private void reject(long tx, ScsiRequest srb, ProtocolVersion version, SrbStatus status, String why) {
        if (why != null) {
            channel.guestError("transaction " + tx + ": " + status + ": " + why);
        }
        channel.completeWith(tx, completion(srb, version, status, 0, 0, null));
    }

    /**
     * The COMPLETE_IO packet for {@code srb} as the negotiated version's wire bytes: the request echoed
     * with status, length and sense (one allocation: a completion is sent on every request's path).
     */
    static MemorySegment completion(ScsiRequest srb, ProtocolVersion version, SrbStatus status, int scsiStatus,
                                    int transferred, byte[] sense) {
        MemorySegment packet = MemorySegment.ofArray(new byte[VstorPacket.SIZE]);
        VstorPacket.writeHeader(packet, VstorOperation.COMPLETE_IO, 0, NtStatus.SUCCESS);
        srb.writeCompleted(packet.asSlice(VstorPacket.HEADER_SIZE), status, scsiStatus, transferred, sense);
        return packet.asSlice(0, version.packetSize());
    }
}
