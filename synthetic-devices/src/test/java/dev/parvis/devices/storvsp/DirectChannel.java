package dev.parvis.devices.storvsp;

import dev.parvis.abi.vmbus.Guid;
import dev.parvis.abi.vmbus.PacketType;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.devices.storvsp.protocol.NtStatus;
import dev.parvis.devices.storvsp.protocol.ProtocolVersion;
import dev.parvis.devices.storvsp.protocol.ScsiRequest;
import dev.parvis.devices.storvsp.protocol.VstorOperation;
import dev.parvis.devices.storvsp.protocol.VstorPacket;
import dev.parvis.vmbus.device.ChannelCounters;
import dev.parvis.vmbus.device.ChannelHandler;
import dev.parvis.vmbus.device.GpaDirectBuffers;
import dev.parvis.vmbus.device.GpaDirectRange;
import dev.parvis.vmbus.device.SendResult;
import dev.parvis.vmbus.device.VmbusChannel;
import dev.parvis.vmbus.ring.IncomingPacket;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A storvsp channel without rings: the guest's packets reach the device on one "turn" thread, as
 * the server's channel turn delivers them, and each completion goes to {@link Guest#completed} the
 * moment it is sent. The GPA-direct buffers are the test's own memory, and their closes are counted.
 * What the guest sends from {@code completed} on a thread other than the turn is handled before that
 * thread goes on: the worst case of a disk thread preempted just after writing a completion.
 */
final class DirectChannel implements VmbusChannel, AutoCloseable {
    static final ProtocolVersion VERSION = ProtocolVersion.WIN10;
    private static final int RELID = 1;

    /** The guest's side: told of each completion, on the thread that sent it. */
    interface Guest {
        /** Returns what the guest sent in answer ({@link #send}), or null. */
        Future<?> completed(long transactionId, ScsiRequest completion);
    }

    /** A request's one range of {@code bytes}: freed before the host runs the request when {@code gone}. */
    private record Buffer(Arena arena, int bytes, boolean gone) {}

    private final ExecutorService turn = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("direct-turn").factory());
    private final Map<Long, Buffer> buffers = new ConcurrentHashMap<>();
    private final Guest guest;
    private final ChannelHandler handler;
    private volatile Thread turnThread;
    final AtomicInteger mapped = new AtomicInteger();
    final AtomicInteger closedBuffers = new AtomicInteger();

    /** Opens a channel of {@code controller} that resumes ready at {@link #VERSION} (as after a restore). */
    DirectChannel(StorVsp controller, Guest guest) {
        this.guest = guest;
        controller.restoreChannels(List.of(new SavedChannel(RELID, SavedChannel.READY, VERSION.majorMinor())));
        this.handler = controller.open(this);
    }

    /** An SRB for {@code cdb} on {@code lun} as storvsc sends it. */
    static ScsiRequest srb(int lun, byte[] cdb, int dataIn, int length) {
        return new ScsiRequest(VERSION.requestSize(), 0, 0, 0, 0, 0, lun, cdb.length, VERSION.senseSize(), dataIn, 0,
                length, cdb, 0, 0, dataIn == ScsiRequest.DATA_IN ? 0x40 : 0x80, 60, 0);
    }

    /**
     * Sends {@code srb} as a GPA-direct EXECUTE_SRB whose one range is {@code rangeBytes} of fresh
     * memory; with {@code bufferGone} that memory is freed once mapped, before the host runs the
     * request (the guest's page left while the request was queued).
     */
    Future<?> send(long tx, ScsiRequest srb, int rangeBytes, boolean bufferGone) {
        MemorySegment payload = MemorySegment.ofArray(new byte[VERSION.packetSize()]);
        VstorPacket.writeHeader(payload, VstorOperation.EXECUTE_SRB, VstorPacket.REQUEST_COMPLETION_FLAG, NtStatus.SUCCESS);
        MemorySegment body = MemorySegment.ofArray(new byte[VstorPacket.BODY_SIZE]);
        srb.write(body);
        MemorySegment.copy(body, 0, payload, VstorPacket.HEADER_SIZE, payload.byteSize() - VstorPacket.HEADER_SIZE);
        buffers.put(tx, new Buffer(bufferGone ? Arena.ofShared() : Arena.ofAuto(), rangeBytes, bufferGone));
        IncomingPacket packet = new IncomingPacket(PacketType.DATA_USING_GPA_DIRECT,
                VmbusConstants.PACKET_FLAG_COMPLETION_REQUESTED, tx, MemorySegment.ofArray(new byte[0]), payload);
        return turn.submit(() -> {
            turnThread = Thread.currentThread();
            handler.onPacket(packet);
        });
    }

    @Override
    public GpaDirectBuffers mapGpaDirect(IncomingPacket packet, boolean writable) {
        Buffer buffer = buffers.remove(packet.transactionId());
        GpaDirectRange range = new GpaDirectRange(buffer.bytes(), List.of(buffer.arena().allocate(buffer.bytes())));
        if (buffer.gone()) {
            buffer.arena().close();
        }
        mapped.incrementAndGet();
        return new GpaDirectBuffers() {
            @Override
            public List<GpaDirectRange> ranges() {
                return List.of(range);
            }

            @Override
            public void close() {
                closedBuffers.incrementAndGet();
            }
        };
    }

    @Override
    public SendResult sendCompletion(long transactionId, MemorySegment payload) {
        Future<?> answer = guest.completed(transactionId, ScsiRequest.read(VstorPacket.bodyOf(payload)));
        // A completion sent in the turn: the guest's answer waits for the turn to end, as in a ring.
        if (answer != null && Thread.currentThread() != turnThread) {
            try {
                answer.get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("the guest's answer to transaction " + transactionId, e);
            }
        }
        return SendResult.SENT;
    }

    @Override
    public int relid() {
        return RELID;
    }

    @Override
    public Guid interfaceType() {
        return dev.parvis.abi.vmbus.DeviceClass.SCSI;
    }

    @Override
    public Guid instance() {
        return StorVsp.controllerInstance(0);
    }

    @Override
    public SendResult sendInband(long transactionId, MemorySegment payload, boolean completionRequested) {
        return SendResult.SENT;
    }

    @Override
    public SendResult trySendInband(long transactionId, MemorySegment payload, boolean completionRequested) {
        return SendResult.SENT;
    }

    @Override
    public int maxPayload() {
        return 4096;
    }

    @Override
    public ChannelCounters counters() {
        return new ChannelCounters(0, 0, 0, 0);
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    /** Ends the test's turn thread (storvsp never closes a channel from the host side). */
    @Override
    public void close() {
        turn.shutdownNow();
    }
}
