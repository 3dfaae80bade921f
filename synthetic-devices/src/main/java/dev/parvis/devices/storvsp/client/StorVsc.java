package dev.parvis.devices.storvsp.client;

import dev.parvis.abi.vmbus.PacketType;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.devices.storvsp.protocol.NtStatus;
import dev.parvis.devices.storvsp.protocol.ProtocolVersion;
import dev.parvis.devices.storvsp.protocol.ScsiRequest;
import dev.parvis.devices.storvsp.protocol.VersionBody;
import dev.parvis.devices.storvsp.protocol.VstorOperation;
import dev.parvis.devices.storvsp.protocol.VstorPacket;
import dev.parvis.vmbus.client.ClientChannel;
import dev.parvis.vmbus.client.VmbusClientException;
import dev.parvis.vmbus.ring.IncomingPacket;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The guest side of a storvsc channel: the initialization handshake, then SRBs sent with as many in
 * flight as the caller wants. A reader thread matches completions to requests by transaction id (they
 * may come back in any order) and counts the host's ENUMERATE_BUS notifications.
 */
public final class StorVsc implements AutoCloseable {
    private static final long TIMEOUT_SECONDS = 30;

    private final ClientChannel channel;
    private final Map<Long, CompletableFuture<VstorPacket>> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextTransaction = new AtomicLong(1);
    private final AtomicLong rescans = new AtomicLong();
    private final Thread reader;
    private volatile boolean closing;
    private volatile ProtocolVersion version = ProtocolVersion.WIN8;

    public StorVsc(ClientChannel channel) {
        this.channel = channel;
        this.reader = Thread.ofPlatform().daemon().name("storvsc-" + channel.relid()).start(this::readLoop);
    }

    /** BEGIN, QUERY_PROTOCOL_VERSION (newest of {@code versions} first), QUERY_PROPERTIES, END. */
    public ProtocolVersion initialize(List<ProtocolVersion> versions) throws VmbusClientException {
        expectSuccess(control(VstorOperation.BEGIN_INITIALIZATION, new byte[0]));
        ProtocolVersion accepted = null;
        for (ProtocolVersion v : versions) {
            byte[] body = new byte[VstorPacket.BODY_SIZE];
            new VersionBody(v, 0).write(MemorySegment.ofArray(body));
            if (control(VstorOperation.QUERY_PROTOCOL_VERSION, body).status().equals(NtStatus.SUCCESS)) {
                accepted = v;
                break;
            }
        }
        if (accepted == null) {
            throw new VmbusClientException("the host accepted none of " + versions);
        }
        version = accepted;
        expectSuccess(control(VstorOperation.QUERY_PROPERTIES, new byte[0]));
        expectSuccess(control(VstorOperation.END_INITIALIZATION, new byte[0]));
        return accepted;
    }

    public ProtocolVersion version() {
        return version;
    }

    /** Sends one control operation and waits for its completion. */
    public VstorPacket control(VstorOperation operation, byte[] body) throws VmbusClientException {
        long tx = nextTransaction.getAndIncrement();
        CompletableFuture<VstorPacket> reply = register(tx);
        VstorPacket request = new VstorPacket(operation, VstorPacket.REQUEST_COMPLETION_FLAG, NtStatus.SUCCESS, body);
        channel.sendInband(tx, request.toSegment(version.packetSize()), true);
        return await(reply);
    }

    private static void expectSuccess(VstorPacket reply) throws VmbusClientException {
        if (!reply.status().equals(NtStatus.SUCCESS)) {
            throw new VmbusClientException("host answered " + reply);
        }
    }

    /**
     * Sends an EXECUTE_SRB; with {@code length > 0} the data buffer is {@code length} bytes starting
     * {@code offset} bytes into page {@code pfns[0]} (one GPA-direct range).
     */
    public CompletableFuture<StorVscCompletion> execute(ScsiRequest srb, long[] pfns, int offset, int length)
            throws VmbusClientException {
        long tx = nextTransaction.getAndIncrement();
        CompletableFuture<VstorPacket> reply = register(tx);
        byte[] body = new byte[VstorPacket.BODY_SIZE];
        srb.write(MemorySegment.ofArray(body));
        VstorPacket request = new VstorPacket(VstorOperation.EXECUTE_SRB, VstorPacket.REQUEST_COMPLETION_FLAG,
                NtStatus.SUCCESS, body);
        MemorySegment payload = request.toSegment(version.packetSize());
        if (length == 0) {
            channel.sendInband(tx, payload, true);
        } else {
            channel.send(PacketType.DATA_USING_GPA_DIRECT, VmbusConstants.PACKET_FLAG_COMPLETION_REQUESTED, tx,
                    rangeHeader(pfns, offset, length), payload);
        }
        return reply.thenApply(p -> new StorVscCompletion(p.status(), ScsiRequest.read(p.bodySegment())));
    }

    /** An SRB for {@code cdb} on {@code lun} of target 0 with this channel's sense size. */
    public ScsiRequest srb(int lun, byte[] cdb, int dataIn, int length) {
        return new ScsiRequest(version.requestSize(), 0, 0, 0, 0, 0, lun, cdb.length, version.senseSize(), dataIn, 0,
                length, cdb, 0, 0, dataIn == ScsiRequest.DATA_IN ? 0x40 : dataIn == ScsiRequest.DATA_OUT ? 0x80 : 0, 60, 0);
    }

    /** The GPA-direct header: reserved u32, range count 1, then {byte_count, byte_offset, pfn[]}. */
    public static MemorySegment rangeHeader(long[] pfns, int offset, int length) {
        ByteBuffer h = ByteBuffer.allocate(16 + 8 * pfns.length).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0).putInt(1).putInt(length).putInt(offset);
        for (long pfn : pfns) {
            h.putLong(pfn);
        }
        return MemorySegment.ofArray(h.array());
    }

    /** ENUMERATE_BUS packets received so far. */
    public long rescans() {
        return rescans.get();
    }

    private CompletableFuture<VstorPacket> register(long tx) {
        CompletableFuture<VstorPacket> f = new CompletableFuture<>();
        pending.put(tx, f);
        return f;
    }

    private static VstorPacket await(CompletableFuture<VstorPacket> reply) throws VmbusClientException {
        try {
            return reply.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new VmbusClientException("no completion: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmbusClientException("interrupted");
        }
    }

    private void readLoop() {
        MemorySegment buffer = MemorySegment.ofArray(new byte[16384]);
        try {
            while (!closing) {
                IncomingPacket p = channel.receive(buffer);
                if (p != null && p.payload().byteSize() >= VstorPacket.MIN_SIZE) {
                    deliver(p);
                }
            }
        } catch (VmbusClientException e) {
            pending.values().forEach(f -> f.completeExceptionally(e));
        }
    }

    private void deliver(IncomingPacket p) {
        VstorPacket packet = VstorPacket.read(p.payload());
        if (p.type().equals(PacketType.COMPLETION)) {
            CompletableFuture<VstorPacket> f = pending.remove(p.transactionId());
            if (f != null) {
                f.complete(packet);
            }
        } else if (packet.operation().equals(VstorOperation.ENUMERATE_BUS)) {
            rescans.incrementAndGet();
        }
    }

    /** Closes the channel (CLOSE_CHANNEL) and stops the reader; the ring GPADL stays the caller's to tear down. */
    @Override
    public void close() throws InterruptedException {
        closing = true;
        channel.closeChannel();
        reader.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS + 5));
    }
}
