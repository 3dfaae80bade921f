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
 * flight as the caller wants. Completions are matched to requests by transaction id (they may come
 * back in any order) and the host's ENUMERATE_BUS notifications are counted.
 *
 * <p>Two ways to read completions. {@link #StorVsc(ClientChannel)} starts a reader thread that
 * completes each request's future. {@link #polled} starts none: the caller reads completions on its
 * own thread with {@link #reap}, between its submissions, as an interrupt-driven storvsc does on a
 * one-processor guest (the completion runs on the CPU that submits); its control operations read
 * inline too.
 */
public final class StorVsc implements AutoCloseable {
    private static final long TIMEOUT_SECONDS = 30;

    private final ClientChannel channel;
    private final Map<Long, CompletableFuture<VstorPacket>> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextTransaction = new AtomicLong(1);
    private final AtomicLong rescans = new AtomicLong();
    private final Thread reader;
    private final MemorySegment receiveBuffer = MemorySegment.ofArray(new byte[16384]);
    private volatile boolean closing;
    private volatile ProtocolVersion version = ProtocolVersion.WIN8;

    /** What {@link #reap} hands over: a completion no future waits for (the packet is valid during the call). */
    @FunctionalInterface
    public interface CompletionSink {
        void completed(long transactionId, MemorySegment vstorPacket);
    }

    /** A client with a reader thread that completes the futures {@link #execute} returns. */
    public StorVsc(ClientChannel channel) {
        this(channel, true);
    }

    private StorVsc(ClientChannel channel, boolean readerThread) {
        this.channel = channel;
        this.reader = readerThread
                ? Thread.ofPlatform().daemon().name("storvsc-" + channel.relid()).start(this::readLoop)
                : null;
    }

    /** A client without a reader thread: the caller reads completions with {@link #reap}. */
    public static StorVsc polled(ClientChannel channel) {
        return new StorVsc(channel, false);
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
        if (reader == null) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            while (!reply.isDone() && System.nanoTime() - deadline < 0) {
                reap((t, p) -> { });
            }
        }
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
        send(tx, srb, length == 0 ? null : rangeHeader(pfns, offset, length));
        return reply.thenApply(p -> new StorVscCompletion(p.status(), ScsiRequest.read(p.bodySegment())));
    }

    /**
     * Sends an EXECUTE_SRB whose completion {@link #reap} hands to its sink (no future waits for it);
     * {@code rangeHeader} is the GPA-direct header ({@link #rangeHeader}), or null for no data.
     *
     * @return the request's transaction id
     */
    public long submit(ScsiRequest srb, MemorySegment rangeHeader) throws VmbusClientException {
        long tx = nextTransaction.getAndIncrement();
        send(tx, srb, rangeHeader);
        return tx;
    }

    private void send(long tx, ScsiRequest srb, MemorySegment rangeHeader) throws VmbusClientException {
        MemorySegment packet = MemorySegment.ofArray(new byte[VstorPacket.SIZE]);
        VstorPacket.writeHeader(packet, VstorOperation.EXECUTE_SRB, VstorPacket.REQUEST_COMPLETION_FLAG, NtStatus.SUCCESS);
        srb.write(packet.asSlice(VstorPacket.HEADER_SIZE));
        MemorySegment payload = packet.asSlice(0, version.packetSize());
        if (rangeHeader == null) {
            channel.sendInband(tx, payload, true);
        } else {
            channel.send(PacketType.DATA_USING_GPA_DIRECT, VmbusConstants.PACKET_FLAG_COMPLETION_REQUESTED, tx,
                    rangeHeader, payload);
        }
    }

    /**
     * Reads the completions waiting in the ring on the calling thread, at least one (waiting up to the
     * channel's timeout for it): those of {@link #control} and {@link #execute} complete their futures,
     * the others go to {@code sink}. Only for a {@link #polled} client.
     *
     * @return the packets read (0 when none came in time)
     */
    public int reap(CompletionSink sink) throws VmbusClientException {
        return reap(sink, 0);
    }

    /**
     * As {@link #reap(CompletionSink)}, but first looks at the ring for a completion for up to
     * {@code spinNanos} without asking the host for a signal ({@link ClientChannel#receivePolling}): a
     * polling driver, which spends its own processor instead of a wake-up per batch of completions.
     */
    public int reap(CompletionSink sink, long spinNanos) throws VmbusClientException {
        if (reader != null) {
            throw new IllegalStateException("this client's reader thread reads the completions");
        }
        int n = 0;
        IncomingPacket p = spinNanos > 0 ? channel.receivePolling(receiveBuffer, spinNanos) : channel.receive(receiveBuffer);
        while (p != null) {
            n++;
            if (p.payload().byteSize() >= VstorPacket.MIN_SIZE && !deliverToFuture(p)
                    && p.type().equals(PacketType.COMPLETION)) {
                sink.completed(p.transactionId(), p.payload());
            }
            p = channel.poll(receiveBuffer);
        }
        return n;
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
        try {
            while (!closing) {
                IncomingPacket p = channel.receive(receiveBuffer);
                if (p != null && p.payload().byteSize() >= VstorPacket.MIN_SIZE) {
                    deliverToFuture(p);
                }
            }
        } catch (VmbusClientException e) {
            pending.values().forEach(f -> f.completeExceptionally(e));
        }
    }

    /** Completes the future waiting for {@code p}, or counts a rescan; false when nothing waited for it. */
    private boolean deliverToFuture(IncomingPacket p) {
        if (p.type().equals(PacketType.COMPLETION)) {
            // A future is registered before its request is sent, so none waits when the map is empty.
            CompletableFuture<VstorPacket> f = pending.isEmpty() ? null : pending.remove(p.transactionId());
            if (f != null) {
                f.complete(VstorPacket.read(p.payload()));
            }
            return f != null;
        }
        if (VstorPacket.read(p.payload()).operation().equals(VstorOperation.ENUMERATE_BUS)) {
            rescans.incrementAndGet();
        }
        return true;
    }

    /** Closes the channel (CLOSE_CHANNEL) and stops the reader; the ring GPADL stays the caller's to tear down. */
    @Override
    public void close() throws InterruptedException {
        closing = true;
        channel.closeChannel();
        if (reader != null) {
            reader.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS + 5));
        }
    }
}
