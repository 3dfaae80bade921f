package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.PacketType;
import dev.parvis.abi.vmbus.RingControl;
import dev.parvis.vmbus.client.GuestPages;
import dev.parvis.vmbus.loopback.LoopbackGuestMemory;
import dev.parvis.vmbus.ring.IncomingPacket;
import dev.parvis.vmbus.ring.RingBuffer;
import dev.parvis.vmbus.ring.RingCorruptException;
import dev.parvis.vmbus.ring.RingMemory;
import dev.parvis.vmbus.ring.WriteResult;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * The fuzzed guest's side of its channels: its pages, the rings it lays out in a ring GPADL before
 * OPEN_CHANNEL, the packets it writes for the echo device and the echoes it reads back, each of which
 * must be a packet it sent, unchanged. A channel whose result came but whose pages the guest does not
 * know (a mutated open) is tracked without rings.
 */
final class FuzzRings {
    private static final int PAGE = 4096;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final class Channel {
        final int gpadl;
        final GuestPages pages;
        final RingBuffer toHost;
        final RingBuffer fromHost;
        boolean corrupt;

        Channel(int gpadl, GuestPages pages, RingBuffer toHost, RingBuffer fromHost) {
            this.gpadl = gpadl;
            this.pages = pages;
            this.toHost = toHost;
            this.fromHost = fromHost;
        }
    }

    /** Pages whose rings the guest made invalid: a later channel on them is not written to either. */
    private final Set<GuestPages> corrupted = Collections.newSetFromMap(new IdentityHashMap<>());

    private final LoopbackGuestMemory memory;
    private final TreeMap<Integer, Channel> channels = new TreeMap<>();
    private final List<String> violations = new ArrayList<>();
    private final MemorySegment buffer = MemorySegment.ofArray(new byte[64 * 1024]);
    /**
     * Every packet the guest wrote and has not seen echoed, by transaction id (unique: a channel
     * reopened on the same rings echoes what its predecessor left).
     */
    private final Map<Long, byte[]> sent = new HashMap<>();
    private long nextTransaction = 1;

    FuzzRings(LoopbackGuestMemory memory) {
        this.memory = memory;
    }

    List<String> takeViolations() {
        List<String> out = List.copyOf(violations);
        violations.clear();
        return out;
    }

    GuestPages allocate(int pages) {
        return memory.allocate(pages);
    }

    /** Lays out empty rings in {@code pages}: [0, offset) to the host, the rest from it. */
    static void initialize(GuestPages pages, int offset) {
        RingBuffer.initialize(toHost(pages, offset));
        RingBuffer.initialize(fromHost(pages, offset));
    }

    private static RingMemory toHost(GuestPages pages, int offset) {
        return RingMemory.flat(pages.contiguous().asSlice(0, (long) offset * PAGE));
    }

    private static RingMemory fromHost(GuestPages pages, int offset) {
        return RingMemory.flat(pages.contiguous().asSlice((long) offset * PAGE, (long) (pages.pageCount() - offset) * PAGE));
    }

    void opened(int relid, int gpadl, GuestPages pages, int offset) {
        boolean rings = pages != null && offset >= 2 && offset <= pages.pageCount() - 2;
        Channel c = new Channel(gpadl, pages, rings ? new RingBuffer(toHost(pages, offset)) : null,
                rings ? new RingBuffer(fromHost(pages, offset)) : null);
        c.corrupt = pages != null && corrupted.contains(pages);
        channels.put(relid, c);
    }

    boolean hasChannel(int relid) {
        return channels.containsKey(relid);
    }

    boolean usesGpadl(int handle) {
        return channels.values().stream().anyMatch(c -> c.gpadl == handle);
    }

    List<Integer> relids() {
        return List.copyOf(channels.keySet());
    }

    void forget(int relid) {
        channels.remove(relid);
    }

    void forgetAll() {
        channels.clear();
    }

    private Channel pick(Random rnd) {
        List<Integer> usable = channels.entrySet().stream().filter(e -> e.getValue().toHost != null && !e.getValue().corrupt)
                .map(Map.Entry::getKey).toList();
        return usable.isEmpty() ? null : channels.get(usable.get(rnd.nextInt(usable.size())));
    }

    /** Writes a few packets on one channel and signals the host; the label of what was done, or null. */
    String send(Random rnd, VmbusServer server) {
        Channel c = pick(rnd);
        if (c == null) {
            return null;
        }
        int relid = relidOf(c);
        int count = 1 + rnd.nextInt(6);
        int written = 0;
        try {
            for (int i = 0; i < count; i++) {
                byte[] payload = new byte[rnd.nextInt(300)];
                rnd.nextBytes(payload);
                long tx = nextTransaction++;
                if (c.toHost.writer().write(PacketType.DATA_INBAND, 0, tx, null, MemorySegment.ofArray(payload))
                        == WriteResult.FULL) {
                    break;
                }
                sent.put(tx, payload);
                written++;
            }
        } catch (RingCorruptException e) {
            violations.add("the host left the guest's outbound ring of relid " + relid + " corrupt: " + e.getMessage());
        }
        server.onChannelSignal(relid);
        return "send " + written + " packets on relid " + relid;
    }

    /** Reads every echo waiting; each is one line of the transcript. */
    List<String> read() {
        List<String> echoes = new ArrayList<>();
        for (Map.Entry<Integer, Channel> e : channels.entrySet()) {
            Channel c = e.getValue();
            if (c.fromHost == null) {
                continue;
            }
            try {
                for (IncomingPacket p = c.fromHost.reader().read(buffer); p != null; p = c.fromHost.reader().read(buffer)) {
                    byte[] wrote = sent.remove(p.transactionId());
                    byte[] payload = p.payload().toArray(ValueLayout.JAVA_BYTE);
                    if (wrote == null || !p.type().equals(PacketType.DATA_INBAND) || !intact(wrote, payload)) {
                        violations.add("relid " + e.getKey() + " echoed a packet the guest did not send: " + p);
                    }
                    echoes.add("echo " + e.getKey() + "/" + p.transactionId() + " " + payload.length + " bytes");
                    c.fromHost.reader().commit();
                }
            } catch (RingCorruptException ex) {
                violations.add("the host wrote a corrupt packet to relid " + e.getKey() + ": " + ex.getMessage());
            }
        }
        return echoes;
    }

    /** The echo is the payload sent, padded with zeros to 8 bytes as the ring carries it. */
    private static boolean intact(byte[] sent, byte[] echo) {
        return echo.length == ((sent.length + 7) & ~7) && Arrays.equals(Arrays.copyOf(echo, sent.length), sent)
                && Arrays.equals(Arrays.copyOfRange(echo, sent.length, echo.length), new byte[echo.length - sent.length]);
    }

    /** Makes the guest-to-host ring of one channel invalid (write_index out of the ring) and signals. */
    String corrupt(Random rnd, VmbusServer server) {
        Channel c = pick(rnd);
        if (c == null) {
            return null;
        }
        c.corrupt = true;
        corrupted.add(c.pages);
        int bad = rnd.nextBoolean() ? (int) c.toHost.dataSize() + 8 : 3;
        c.toHost.memory().control().set(U32, RingControl.WRITE_INDEX_OFFSET, bad);
        server.onChannelSignal(relidOf(c));
        return "corrupt the ring of relid " + relidOf(c) + " (write_index " + bad + ")";
    }

    private int relidOf(Channel c) {
        return channels.entrySet().stream().filter(e -> e.getValue() == c).findFirst().orElseThrow().getKey();
    }
}
