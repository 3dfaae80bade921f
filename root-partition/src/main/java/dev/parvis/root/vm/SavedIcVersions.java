package dev.parvis.root.vm;

import dev.parvis.abi.ic.IcVersion;
import dev.parvis.abi.vmbus.Guid;
import dev.parvis.devices.ic.IcVersions;
import dev.parvis.vmbus.server.VmbusServerState;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ICS section of a saved-state file (version 6): the versions each integration service's open
 * channel had negotiated with the guest, so that the restored channel keeps using them instead of
 * negotiating again (which the guest would see, and during which the service shows No Contact).
 * {@code u32 count}, then per service {@code interface GUID, u16 framework major, u16 framework
 * minor, u16 message major, u16 message minor}.
 */
final class SavedIcVersions {
    static final int ENTRY_BYTES = 16 + 8;
    /** A VM has five integration services; room for more without letting a file claim many. */
    static final int MAX_SERVICES = 16;

    /** One service's negotiated versions, by the service's VMBus interface type. */
    record Entry(Guid service, IcVersions.Negotiated versions) {
    }

    private SavedIcVersions() {
    }

    /**
     * What a save keeps of {@code negotiated}: the services whose channel the VMBus state saves as open
     * (a channel saved opening or closing is negotiated anew, or not at all, after the restore).
     */
    static List<Entry> ofOpenChannels(Map<Guid, IcVersions.Negotiated> negotiated, VmbusServerState vmbus) {
        return negotiated.entrySet().stream().filter(e -> hasOpenChannel(vmbus, e.getKey()))
                .map(e -> new Entry(e.getKey(), e.getValue())).toList();
    }

    private static boolean hasOpenChannel(VmbusServerState vmbus, Guid service) {
        return vmbus != null && vmbus.offers().stream().anyMatch(o -> o.interfaceType().equals(service)
                && o.channel() != null && o.channel().phase() == VmbusServerState.ChannelEntry.OPEN);
    }

    static Map<Guid, IcVersions.Negotiated> toMap(List<Entry> entries) {
        Map<Guid, IcVersions.Negotiated> out = new LinkedHashMap<>();
        entries.forEach(e -> out.put(e.service(), e.versions()));
        return out;
    }

    static byte[] encode(List<Entry> entries) {
        ByteBuffer b = ByteBuffer.allocate(4 + ENTRY_BYTES * entries.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(entries.size());
        for (Entry e : entries) {
            b.put(e.service().toBytes());
            IcVersions.Negotiated v = e.versions();
            b.putShort((short) v.framework().major()).putShort((short) v.framework().minor())
                    .putShort((short) v.message().major()).putShort((short) v.message().minor());
        }
        return b.array();
    }

    /**
     * Reads a section body of {@code length} bytes at {@code b}'s position (which {@code b} holds), the
     * count checked against the length before any entry is read.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static List<Entry> decode(ByteBuffer b, long length) {
        if (length < 4) {
            throw new IllegalArgumentException("ICS section of %d bytes, 4 needed".formatted(length));
        }
        int count = b.getInt();
        if (count < 0 || count > MAX_SERVICES || length != 4 + (long) ENTRY_BYTES * count) {
            throw new IllegalArgumentException("ICS section: %d services in %d bytes".formatted(count, length));
        }
        List<Entry> out = new ArrayList<>();
        Set<Guid> seen = new HashSet<>();
        for (int i = 0; i < count; i++) {
            byte[] guid = new byte[16];
            b.get(guid);
            Guid service = Guid.read(MemorySegment.ofArray(guid));
            if (!seen.add(service)) {
                throw new IllegalArgumentException("ICS section: service " + service + " twice");
            }
            out.add(new Entry(service, new IcVersions.Negotiated(version(b), version(b))));
        }
        return out;
    }

    private static IcVersion version(ByteBuffer b) {
        return IcVersion.of(Short.toUnsignedInt(b.getShort()), Short.toUnsignedInt(b.getShort()));
    }

    /**
     * Each entry's service has an open channel in the saved VMBus state: the restored channel of that
     * service is the only one that may adopt the versions (a later open, after the guest rebooted,
     * must negotiate).
     *
     * @throws IllegalArgumentException naming the service without one
     */
    static void requireOpenChannels(List<Entry> entries, VmbusServerState vmbus) {
        for (Entry e : entries) {
            if (!hasOpenChannel(vmbus, e.service())) {
                throw new IllegalArgumentException("ICS section: service " + e.service() + " has no open channel in the VMBUS state");
            }
        }
    }
}
