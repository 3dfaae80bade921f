package dev.parvis.devices.storvsp.fuzz;

import dev.parvis.devices.storvsp.protocol.ScsiRequest;
import dev.parvis.devices.storvsp.scsi.Sense;
import java.util.BitSet;
import java.util.List;
import java.util.Set;

/** What the fuzz test's model says the host must do with one packet. */
sealed interface Expectation {

    /** A packet type storvsp does not serve: no completion. */
    record Ignored() implements Expectation {}

    /** Larger than the channel's receive buffer: the VMBus server closes the channel. */
    record ChannelCloses(long packetBytes) implements Expectation {}

    /**
     * A vstor control operation (or a packet refused whole): one completion of {@code size} bytes with
     * one of these statuses and this body (as many of its bytes as the completion carries).
     */
    record ControlReply(Set<Integer> statuses, int size, byte[] body) implements Expectation {}

    /**
     * An EXECUTE_SRB: one completion of {@code size} bytes echoing {@code request}, ending in one of
     * {@code allowed}; {@code range} is the buffer it granted (null for none).
     */
    record SrbReply(ScsiRequest request, int size, int senseSize, List<SrbOutcome> allowed, GuestRange range)
            implements Expectation {}

    /**
     * One way an SRB may end: srb_status (autosense flag included), scsi_status, the sense the host
     * reports (null for none) and the bytes it moved, and what it did to the guest's buffer or disk.
     */
    record SrbOutcome(String kind, int srbStatus, int scsiStatus, Sense sense, long transferred, DataEffect effect) {
        boolean good() {
            return srbStatus == 0x01;
        }
    }

    /** What a GOOD outcome did besides its status. */
    sealed interface DataEffect {}

    /** Nothing moved, or nothing the test must check. */
    record NoData() implements DataEffect {}

    /** Blocks read into the buffer: it must hold the shadow's bytes. */
    record ReadBlocks(ShadowDisk disk, long lba, int bytes) implements DataEffect {}

    /** Blocks written from the buffer ({@code data}, as the guest's buffer held them). */
    record WriteBlocks(ShadowDisk disk, long lba, byte[] data) implements DataEffect {}

    /** Block ranges ({lba, count}) that now read as zero. */
    record UnmapBlocks(ShadowDisk disk, List<long[]> ranges) implements DataEffect {}

    /** Parameter data returned (INQUIRY, MODE SENSE, ...): the bytes {@code known} marks must be these. */
    record Response(byte[] bytes, BitSet known) implements DataEffect {}
}
