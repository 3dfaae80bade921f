package dev.parvis.devices.ic;

import dev.parvis.abi.ic.IcConstants;
import dev.parvis.abi.ic.IcMessageHeader;
import dev.parvis.abi.ic.IcMessageType;
import dev.parvis.abi.ic.IcNegotiate;
import dev.parvis.abi.ic.IcVersion;
import dev.parvis.abi.vmbus.PacketType;
import dev.parvis.abi.vmbus.PipeHeader;
import dev.parvis.vmbus.device.ChannelHandler;
import dev.parvis.vmbus.device.SendResult;
import dev.parvis.vmbus.device.VmbusChannel;
import dev.parvis.vmbus.ring.IncomingPacket;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open IC channel, host side: sends a request and waits for the answer with the same
 * transaction id (one outstanding transaction per channel), negotiates versions as host, and
 * checks every guest packet (pipe header, icmsg header, sizes, flags, versions, transaction).
 * A bad packet is reported to the {@link Listener} and dropped; nothing throws out of
 * {@link #onPacket}.
 */
public final class IcChannel implements ChannelHandler {
    private static final Logger LOG = LoggerFactory.getLogger(IcChannel.class);
    private static final int MIN_MESSAGE = IcMessageHeader.SIZE;
    private static final int LATE_REMEMBERED = 16;
    private static final byte RESPONSE_FLAGS = IcConstants.FLAG_TRANSACTION | IcConstants.FLAG_RESPONSE;

    /** What the owning service hears from the channel; called on the channel's worker thread. */
    public interface Listener {
        void onMalformed(IcChannel channel, String reason);

        void onClosed(IcChannel channel);
    }

    private record Pending(long transactionId, IcMessageType type, IcVersion framework, IcVersion message,
                           CompletableFuture<IcResponse> answer) {
    }

    private final VmbusChannel channel;
    private final IcMessageType serviceType;
    private final IcVersions offered;
    private final Listener listener;
    private final Semaphore oneTransaction = new Semaphore(1);
    private final AtomicLong nextTransaction = new AtomicLong(1);
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong late = new AtomicLong();
    /** Transactions that timed out recently: their answers are late, not malformed. */
    private final java.util.concurrent.ConcurrentLinkedDeque<Long> timedOut = new java.util.concurrent.ConcurrentLinkedDeque<>();
    private volatile Pending pending;
    private volatile IcVersions.Negotiated negotiated;
    private volatile boolean closed;

    public IcChannel(VmbusChannel channel, IcMessageType serviceType, IcVersions offered, Listener listener) {
        this.channel = channel;
        this.serviceType = serviceType;
        this.offered = offered;
        this.listener = listener;
    }

    public VmbusChannel vmbusChannel() {
        return channel;
    }

    /** The versions both sides use, or null before negotiation finished. */
    public IcVersions.Negotiated negotiated() {
        return negotiated;
    }

    public long malformedCount() {
        return malformed.get();
    }

    public long answeredCount() {
        return answered.get();
    }

    /** Well-formed answers that came after their request timed out (dropped). */
    public long lateCount() {
        return late.get();
    }

    public boolean isClosed() {
        return closed || !channel.isOpen();
    }

    /** Takes {@code versions} as negotiated without asking the guest: a restored channel (IcService#restoreNegotiated). */
    void adopt(IcVersions.Negotiated versions) {
        negotiated = versions;
    }

    /**
     * Offers our version lists and records the guest's choice.
     *
     * @throws IcException when the guest does not answer, answers malformed, has no common version
     *                     or picks a version we did not offer
     */
    public IcVersions.Negotiated negotiate(Duration timeout) throws IcException {
        int size = IcNegotiate.SIZE + (offered.framework().size() + offered.message().size()) * 4;
        IcResponse r = send(IcMessageType.NEGOTIATE, offered.framework().getFirst(), offered.message().getFirst(),
                size, b -> IcNegotiate.writeBody(b, offered.framework(), offered.message()), timeout);
        if (r.body().length < IcNegotiate.SIZE) {
            throw malformedAnswer("negotiation answer of " + r.body().length + " bytes");
        }
        MemorySegment body = r.bodySegment();
        IcNegotiate n = IcNegotiate.read(body);
        if (n.frameworkCount() == 0 && n.messageCount() == 0) {
            throw malformedAnswer("guest has no version in common with " + offered);
        }
        if (n.frameworkCount() != 1 || n.messageCount() != 1 || body.byteSize() < IcNegotiate.SIZE + 8) {
            throw malformedAnswer("negotiation answer with " + n.frameworkCount() + "/" + n.messageCount()
                    + " versions in " + body.byteSize() + " bytes");
        }
        IcVersion fw = IcNegotiate.entry(body, 0);
        IcVersion msg = IcNegotiate.entry(body, 1);
        if (!offered.framework().contains(fw) || !offered.message().contains(msg)) {
            throw malformedAnswer("guest chose unknown version: framework " + fw + ", " + serviceType + " " + msg);
        }
        IcVersions.Negotiated result = new IcVersions.Negotiated(fw, msg);
        negotiated = result;
        return result;
    }

    /** One request of this channel's service type in the negotiated versions; waits for the answer. */
    public IcResponse transact(int bodySize, Consumer<MemorySegment> body, Duration timeout) throws IcException {
        IcVersions.Negotiated v = negotiated;
        if (v == null) {
            throw new IcException(serviceType + ": versions not negotiated");
        }
        return send(serviceType, v.framework(), v.message(), bodySize, body, timeout);
    }

    private IcException malformedAnswer(String reason) {
        report(reason);
        return new IcException(reason);
    }

    private IcResponse send(IcMessageType type, IcVersion fw, IcVersion msg, int bodySize,
                            Consumer<MemorySegment> body, Duration timeout) throws IcException {
        if (isClosed()) {
            throw new IcException(serviceType + ": channel closed");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (!oneTransaction.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new IcException(serviceType + ": another transaction is still outstanding");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IcException("interrupted");
        }
        long tx = nextTransaction.getAndIncrement();
        Pending p = new Pending(tx, type, fw, msg, new CompletableFuture<>());
        try {
            MemorySegment payload = MemorySegment.ofArray(new byte[PipeHeader.SIZE + IcMessageHeader.SIZE + bodySize]);
            new PipeHeader(IcConstants.PIPE_PACKET_DATA, IcMessageHeader.SIZE + bodySize).write(payload);
            new IcMessageHeader(fw, type, msg, bodySize, IcConstants.S_OK, (byte) tx,
                    (byte) (IcConstants.FLAG_TRANSACTION | IcConstants.FLAG_REQUEST))
                    .write(payload.asSlice(IcConstants.HEADER_OFFSET, IcMessageHeader.SIZE));
            body.accept(payload.asSlice(PipeHeader.SIZE + IcMessageHeader.SIZE, bodySize));
            pending = p;
            SendResult sent = channel.sendInband(tx, payload, false);
            if (sent != SendResult.SENT) {
                throw new IcException(type + ": send failed: " + sent);
            }
            long left = Math.max(0, deadline - System.nanoTime());
            return p.answer().get(left, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            timedOut.addLast(tx);
            while (timedOut.size() > LATE_REMEMBERED) {
                timedOut.pollFirst();
            }
            throw new IcException(type + ": no answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IcException ic ? ic : new IcException(type + ": " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IcException("interrupted");
        } finally {
            pending = null;
            oneTransaction.release();
        }
    }

    @Override
    public void onPacket(IncomingPacket packet) {
        try {
            String problem = check(packet);
            if (problem != null) {
                reject(packet.transactionId(), problem);
            }
        } catch (RuntimeException e) {
            reject(packet.transactionId(), "internal error on a guest packet: " + e);
        }
    }

    /** Null when the packet was a valid answer (and was handed to its waiter), else the reason. */
    private String check(IncomingPacket packet) {
        if (!packet.type().equals(PacketType.DATA_INBAND)) {
            return "packet type " + packet.type();
        }
        MemorySegment payload = packet.payload();
        long size = payload.byteSize();
        if (size < PipeHeader.SIZE) {
            return "payload of " + size + " bytes has no pipe header";
        }
        PipeHeader pipe = PipeHeader.read(payload);
        if (pipe.packetType() != IcConstants.PIPE_PACKET_DATA) {
            return "pipe packet type " + Integer.toUnsignedString(pipe.packetType());
        }
        long length = Integer.toUnsignedLong(pipe.length());
        if (length < MIN_MESSAGE || length > IcConstants.MAX_MESSAGE_SIZE) {
            return "pipe length " + length;
        }
        if (PipeHeader.SIZE + length > size || size - (PipeHeader.SIZE + length) >= 8) {
            return "pipe length " + length + " does not fit a " + size + "-byte packet";
        }
        IcMessageHeader h = IcMessageHeader.read(payload.asSlice(IcConstants.HEADER_OFFSET, IcMessageHeader.SIZE));
        if (h.flags() != RESPONSE_FLAGS) {
            return "icmsg flags 0x%02X".formatted(h.flags() & 0xFF);
        }
        if (h.messageSize() > length - IcMessageHeader.SIZE) {
            return "message size " + h.messageSize() + " beyond the pipe length " + length;
        }
        Pending p = pending;
        String versions = checkVersions(h, p);
        if (versions != null) {
            return versions;
        }
        if ((p == null || p.transactionId() != packet.transactionId()) && timedOut.remove(packet.transactionId())) {
            late.incrementAndGet();
            return null;
        }
        if (p == null || p.transactionId() != packet.transactionId()) {
            return "unsolicited answer, transaction " + Long.toUnsignedString(packet.transactionId());
        }
        if (!h.type().equals(p.type())) {
            return "answer of type " + h.type() + " to a " + p.type() + " request";
        }
        byte[] body = payload.asSlice(PipeHeader.SIZE + IcMessageHeader.SIZE, h.messageSize())
                .toArray(ValueLayout.JAVA_BYTE);
        answered.incrementAndGet();
        p.answer().complete(new IcResponse(h, body));
        return null;
    }

    private String checkVersions(IcMessageHeader h, Pending p) {
        IcVersion fw = p != null ? p.framework() : negotiated != null ? negotiated.framework() : null;
        IcVersion msg = p != null ? p.message() : negotiated != null ? negotiated.message() : null;
        if (fw == null) {
            return offered.framework().contains(h.framework()) ? null : "unknown framework version " + h.framework();
        }
        if (!h.framework().equals(fw) || !h.messageVersion().equals(msg)) {
            return "unknown version: framework " + h.framework() + ", message " + h.messageVersion()
                    + " (expected " + fw + ", " + msg + ")";
        }
        return null;
    }

    private void reject(long transactionId, String reason) {
        Pending p = pending;
        if (p != null && p.transactionId() == transactionId) {
            p.answer().completeExceptionally(new IcException(serviceType + ": malformed answer: " + reason));
        }
        report(reason);
    }

    private void report(String reason) {
        long n = malformed.incrementAndGet();
        if (n == 1 || (n & 1023) == 0) {
            LOG.warn("{} channel {}: malformed guest message #{}: {}", serviceType, channel.relid(), n, reason);
        }
        try {
            listener.onMalformed(this, reason);
        } catch (RuntimeException e) {
            LOG.error("{} listener failed", serviceType, e);
        }
    }

    @Override
    public void onClose() {
        closed = true;
        Pending p = pending;
        if (p != null) {
            p.answer().completeExceptionally(new IcException(serviceType + ": channel closed"));
        }
        try {
            listener.onClosed(this);
        } catch (RuntimeException e) {
            LOG.error("{} listener failed", serviceType, e);
        }
    }

    @Override
    public String toString() {
        return "IcChannel[" + serviceType + ", relid " + channel.relid() + ", " + negotiated + "]";
    }
}
