package dev.parvis.root.vm;

import dev.parvis.devices.storvsp.SavedChannel;
import dev.parvis.root.storage.DiskChannelState;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The STORAGE section of a saved-state file (version 5): {@code u32 count}, then per open storvsc
 * channel {@code u32 controller, u32 relid, u32 phase, u32 version} (see {@link SavedChannel}).
 */
final class SavedDiskChannels {
    static final int ENTRY_BYTES = 16;
    /** 4 controllers, and a channel per VP at most on each: far more than any real VM has. */
    static final int MAX_CHANNELS = 4 * 64;

    private SavedDiskChannels() {
    }

    static byte[] encode(List<DiskChannelState> channels) {
        ByteBuffer b = ByteBuffer.allocate(4 + ENTRY_BYTES * channels.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(channels.size());
        for (DiskChannelState c : channels) {
            b.putInt(c.controller()).putInt(c.channel().relid()).putInt(c.channel().phase()).putInt(c.channel().version());
        }
        return b.array();
    }

    /**
     * Reads a section body of {@code length} bytes at {@code b}'s position, which {@code b} holds: it
     * reads exactly {@code length} bytes, the count checked against them before the entries are read.
     *
     * @throws IllegalArgumentException naming what is wrong, and the channel if one entry is
     */
    static List<DiskChannelState> decode(ByteBuffer b, long length) {
        if (length < 4) {
            throw new IllegalArgumentException("STORAGE section of %d bytes, 4 needed".formatted(length));
        }
        int count = b.getInt();
        if (count < 0 || count > MAX_CHANNELS || length != 4 + (long) ENTRY_BYTES * count) {
            throw new IllegalArgumentException("STORAGE section: %d channels in %d bytes".formatted(count, length));
        }
        List<DiskChannelState> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int controller = b.getInt();
            int relid = b.getInt();
            try {
                out.add(new DiskChannelState(controller, new SavedChannel(relid, b.getInt(), b.getInt())));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("STORAGE channel %d: %s".formatted(relid, e.getMessage()));
            }
        }
        return out;
    }
}
