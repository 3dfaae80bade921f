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
import dev.parvis.devices.storvsp.scsi.Sense;
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
 * is answered BUSY at once, so a flood costs the host a bounded amount. A request leaves the bound
 * (its slot and buffers are released) once its data has moved and before its completion is written:
 * a guest that keeps exactly the maximum in flight and resubmits as soon as it reads a completion
 * must find the slot free, whichever thread the host answered on. (A released request still waiting
 * for ring space to answer holds the turn or a disk thread, so the host's share stays bounded.)
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
    /** Requests holding a slot of the in-flight bound. */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Requests admitted whose completion is not yet in the ring (a quiesce waits for them). */
    private final AtomicInteger unanswered = new AtomicInteger();
    /** Small reads left to hand to the disk's threads untried since the last miss; the channel's turns only. */
    private int skipInTurn;

    SrbExecution(StorVsp controller, StorChannel channel) {
        this.controller = controller;
        this.channel = channel;
    }

    /** Requests admitted and not yet completed into the guest's ring. */
    int unanswered() {
        return unanswered.get();
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
                buffers.close();
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
            closeIfMapped(buffers);
            reject(tx, srb, version, SrbStatus.INVALID_REQUEST, "transfer of " + declared + " bytes, data_in " + srb.dataIn());
            return;
        }
        int requests = inFlight.incrementAndGet();
        if (requests > controller.maxInFlightPerChannel()) {
            inFlight.decrementAndGet();
            closeIfMapped(buffers);
            channel.completeWith(tx, completion(srb, version, SrbStatus.BUSY, ScsiStatus.BUSY.raw(), 0, null));
            return;
        }
        unanswered.incrementAndGet();
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
                release(buffers);
                answer(tx, completionOf(srb, version, cached));
                return;
            }
            skipInTurn = SKIP_AFTER_MISS;
        }
        if (!unit.queue().submit(() -> runAndRelease(tx, srb, version, command, unit, data, buffers))) {
            release(buffers);
            answer(tx, completion(srb, version, SrbStatus.INVALID_LUN, 0, 0, null));
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
        MemorySegment reply = null;
        try {
            reply = completionOf(srb, version, run(command, unit, data));
        } catch (IllegalStateException gone) {
            // A page of the buffer left the guest (or the guest is going away) while the request was queued.
            channel.guestError("buffer of transaction " + tx + " no longer accessible: " + gone.getMessage());
            reply = completion(srb, version, SrbStatus.INVALID_REQUEST, 0, 0, null);
        } catch (RuntimeException failed) {
            // A fault of ours or of the backing store, not the guest's: the request still gets its one
            // answer, as a target reports an internal failure, and the guest's driver can retry or fail it.
            channel.hostError("transaction " + tx + " failed on the disk's thread", failed);
            reply = completionOf(srb, version, ScsiResult.check(Sense.INTERNAL_TARGET_FAILURE));
        } finally {
            release(buffers);
            answer(tx, reply); // null only after an Error, which the disk thread logs
        }
    }

    /** Frees a request's place in the bound once its data has moved: its buffers go back, its slot is free. */
    private void release(GpaDirectBuffers buffers) {
        closeIfMapped(buffers);
        inFlight.decrementAndGet();
    }

    /** Gives back a request's GPA-direct buffers, on every path that ends it (null: it had none). */
    private static void closeIfMapped(GpaDirectBuffers buffers) {
        if (buffers != null) {
            buffers.close();
        }
    }

    /** Writes the completion of an admitted request (after {@link #release}); a quiesce then stops waiting for it. */
    private void answer(long tx, MemorySegment reply) {
        try {
            if (reply != null) {
                channel.completeWith(tx, reply);
            }
        } finally {
            unanswered.decrementAndGet();
        }
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

    /** The COMPLETE_IO packet that reports {@code result}: SUCCESS, or ERROR with autosense unless disabled. */
    private static MemorySegment completionOf(ScsiRequest srb, ProtocolVersion version, ScsiResult result) {
        if (result.good()) {
            return completion(srb, version, SrbStatus.SUCCESS, 0, result.transferred(), null);
        }
        boolean autosense = (srb.srbFlags() & DISABLE_AUTOSENSE) == 0 && result.sense() != null;
        SrbStatus status = autosense ? SrbStatus.ERROR.withAutosense() : SrbStatus.ERROR;
        return completion(srb, version, status, result.status().raw(), result.transferred(),
                autosense ? result.sense().fixedFormat(version.senseSize()) : null);
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
