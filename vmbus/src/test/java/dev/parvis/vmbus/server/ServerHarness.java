package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.ChannelMessage;
import dev.parvis.abi.vmbus.GpaRange;
import dev.parvis.abi.vmbus.GpadlBody;
import dev.parvis.abi.vmbus.GpadlHeader;
import dev.parvis.abi.vmbus.InitiateContact;
import dev.parvis.abi.vmbus.RequestOffers;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.abi.vmbus.VmbusVersion;
import dev.parvis.vmbus.loopback.LoopbackGuestMemory;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/** Drives a VmbusServer directly with message bytes, as a guest would. */
final class ServerHarness implements AutoCloseable {
    final LoopbackGuestMemory memory = new LoopbackGuestMemory(7);
    final RecordingEffects effects = new RecordingEffects(memory);
    final VmbusServer server;

    ServerHarness(ServerConfig config) {
        server = new VmbusServer(effects, config);
    }

    ServerHarness() {
        this(ServerConfig.defaults(4));
    }

    /** Sends {@code m}, lets every request it started complete, returns what the server sent. */
    List<ChannelMessage> send(ChannelMessage m) {
        byte[] bytes = m.toBytes();
        return sendRaw(bytes, bytes.length);
    }

    List<ChannelMessage> sendRaw(byte[] bytes, int length) {
        server.onMessage(MemorySegment.ofArray(bytes), length);
        effects.runRequests();
        return effects.take();
    }

    /** Sends {@code m} and leaves the requests it started pending (an in-progress state to look at). */
    List<ChannelMessage> sendOnly(ChannelMessage m) {
        byte[] bytes = m.toBytes();
        server.onMessage(MemorySegment.ofArray(bytes), bytes.length);
        return effects.take();
    }

    List<ChannelMessage> connect(VmbusVersion v) {
        long page = v.isAtLeast(VmbusVersion.WIN10_V5) ? InitiateContact.interruptPageForSint(2, 0) : 0;
        return send(new InitiateContact(v, 0, page, 0, 0));
    }

    List<ChannelMessage> connectAndRequestOffers() {
        connect(VmbusVersion.WIN10_V5_3);
        return send(new RequestOffers());
    }

    /** GPADL_HEADER with up to 26 of {@code pfns}, leaving the grant it may start pending. */
    List<ChannelMessage> gpadlHeaderOnly(int relid, int handle, long[] pfns, int byteOffset, int byteCount) {
        GpaRange range = new GpaRange(byteCount, byteOffset);
        byte[] bytes = new byte[VmbusConstants.MAX_MESSAGE_SIZE];
        MemorySegment s = MemorySegment.ofArray(bytes);
        GpadlHeader.forRange(relid, handle, range).write(s);
        int length = GpadlHeader.writeRange(s, range,
                Arrays.copyOf(pfns, Math.min(pfns.length, VmbusConstants.MAX_GPADL_HEADER_PFNS)));
        server.onMessage(s, length);
        return effects.take();
    }

    /** GPADL_HEADER with up to 26 of {@code pfns}, and the grant it starts completed. */
    List<ChannelMessage> gpadlHeader(int relid, int handle, long[] pfns, int byteOffset, int byteCount) {
        List<ChannelMessage> early = gpadlHeaderOnly(relid, handle, pfns, byteOffset, byteCount);
        effects.runRequests();
        List<ChannelMessage> all = new java.util.ArrayList<>(early);
        all.addAll(effects.take());
        return all;
    }

    List<ChannelMessage> gpadlBody(int handle, long[] pfns) {
        byte[] bytes = new byte[VmbusConstants.MAX_MESSAGE_SIZE];
        MemorySegment s = MemorySegment.ofArray(bytes);
        new GpadlBody(1, handle).write(s);
        int length = GpadlBody.writePfns(s, pfns);
        return sendRaw(bytes, length);
    }

    @Override
    public void close() {
        memory.close();
    }
}
