package dev.parvis.vmbus.loopback;

import dev.parvis.abi.vmbus.ChannelMessage;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.vmbus.client.ClientTransport;
import dev.parvis.vmbus.client.VmbusClient;
import dev.parvis.vmbus.device.VmbusDeviceClass;
import dev.parvis.vmbus.server.GuestTarget;
import dev.parvis.vmbus.server.ServerConfig;
import dev.parvis.vmbus.server.ServerEffects;
import dev.parvis.vmbus.server.VmbusServer;
import dev.parvis.vmcore.GuestMemoryView;
import dev.parvis.vmcore.GuestRamWindow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A VmbusClient and a VmbusServer joined in process. Control messages travel as copied bytes
 * through two bounded queues, each drained by its own thread (the host thread is the server's
 * control thread, like the root's message loop; the guest thread plays the SINT2 message slot).
 * A full queue to the host blocks the client; a full queue to the guest refuses the server's
 * message, as a full SynIC queue would, and the server's retry runs on a scheduler thread. Channel signals are direct calls:
 * the guest's signal on connection id {@code 0x2000 | relid} reaches
 * {@link VmbusServer#onChannelSignal}, the host's reaches the client. The guest's memory is a
 * {@link LoopbackGuestMemory}.
 */
public final class Loopback implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Loopback.class);
    private static final int QUEUE_DEPTH = 256;
    private static final int LOG_KEEP = 1000;
    private static final byte[] STOP = new byte[0];
    private static final long BLOCKED_POLL_NANOS = 100_000;

    private final LoopbackGuestMemory memory;
    private final VmbusServer server;
    private final VmbusClient client;
    private final BlockingQueue<byte[]> toHost = new ArrayBlockingQueue<>(QUEUE_DEPTH);
    private final BlockingQueue<byte[]> toGuest = new ArrayBlockingQueue<>(QUEUE_DEPTH);
    private final Map<Integer, Integer> relidByConnection = new ConcurrentHashMap<>();
    private final ArrayDeque<String> logLines = new ArrayDeque<>();
    private final AtomicLong messagesToHost = new AtomicLong();
    private final AtomicLong messagesToGuest = new AtomicLong();
    private final AtomicLong signalsToHost = new AtomicLong();
    private final AtomicLong signalsToGuest = new AtomicLong();
    private final Thread hostThread;
    private final Thread guestThread;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("loopback-retry").factory());
    private final AtomicBoolean retryScheduled = new AtomicBoolean();
    private volatile ClientTransport.Receiver receiver;

    public Loopback(LoopbackGuestMemory memory, ServerConfig config, List<? extends VmbusDeviceClass> devices,
                    Duration clientTimeout) {
        this.memory = memory;
        this.server = new VmbusServer(new Effects(), config);
        devices.forEach(server::addDevice);
        this.hostThread = Thread.ofPlatform().daemon().name("loopback-host").start(() -> pump(toHost, true));
        this.guestThread = Thread.ofPlatform().daemon().name("loopback-guest").start(() -> pump(toGuest, false));
        this.client = new VmbusClient(new Transport(), memory, clientTimeout);
    }

    public VmbusServer server() {
        return server;
    }

    public VmbusClient client() {
        return client;
    }

    public LoopbackGuestMemory memory() {
        return memory;
    }

    /** The server's guest-error log lines (the most recent 1000). */
    public List<String> logLines() {
        synchronized (logLines) {
            return List.copyOf(logLines);
        }
    }

    public long messagesToHost() {
        return messagesToHost.get();
    }

    public long messagesToGuest() {
        return messagesToGuest.get();
    }

    public long signalsToHost() {
        return signalsToHost.get();
    }

    public long signalsToGuest() {
        return signalsToGuest.get();
    }

    private void pump(BlockingQueue<byte[]> queue, boolean toServer) {
        try {
            while (true) {
                while (toServer && server.blockedOnGuest()) {
                    LockSupport.parkNanos(BLOCKED_POLL_NANOS); // answers wait for the guest: post no more
                }
                byte[] message = queue.take();
                if (message == STOP) {
                    return;
                }
                MemorySegment segment = MemorySegment.ofArray(message);
                if (toServer) {
                    serve(segment, message.length);
                } else {
                    ClientTransport.Receiver r = receiver;
                    if (r != null) {
                        r.onMessage(segment, message.length);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("loopback {} thread died", toServer ? "host" : "guest", e);
        }
    }

    /** As the root's pump does: any Throwable while serving the guest's message fails its connection. */
    private void serve(MemorySegment message, int length) {
        try {
            server.onMessage(message, length);
        } catch (Throwable t) {
            LOG.error("loopback: serving a control message failed; the connection fails", t);
            server.fail("serving its control message failed: " + t);
        }
    }

    private static void put(BlockingQueue<byte[]> queue, byte[] message) {
        try {
            queue.put(message);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted posting a message", e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        put(toHost, STOP);
        hostThread.join(5000);
        put(toGuest, STOP);
        guestThread.join(5000);
        retries.shutdownNow();
    }

    private final class Effects implements ServerEffects {
        @Override
        public boolean sendMessage(ChannelMessage message, GuestTarget target) {
            if (!toGuest.offer(message.toBytes())) {
                return false;
            }
            messagesToGuest.incrementAndGet();
            return true;
        }

        @Override
        public void retryLater() {
            if (retryScheduled.compareAndSet(false, true)) {
                retries.schedule(() -> {
                    retryScheduled.set(false);
                    server.flush();
                }, 1, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public int createChannelSignal(int relid) {
            int connectionId = VmbusConstants.CHANNEL_CONNECTION_ID_BASE | relid;
            relidByConnection.put(connectionId, relid);
            return connectionId;
        }

        @Override
        public void releaseChannelSignal(int relid) {
            relidByConnection.remove(VmbusConstants.CHANNEL_CONNECTION_ID_BASE | relid, relid);
        }

        @Override
        public void signalGuest(int relid, int targetVp) {
            signalsToGuest.incrementAndGet();
            ClientTransport.Receiver r = receiver;
            if (r != null) {
                r.onChannelSignal(relid);
            }
        }

        @Override
        public GuestMemoryView openGuestPages(long[] gpns) {
            return memory.open(memory.partitionId(), gpns);
        }

        @Override
        public GuestRamWindow guestRam() {
            return memory.sharedWindow();
        }

        @Override
        public void log(String line) {
            LOG.warn(line);
            synchronized (logLines) {
                if (logLines.size() >= LOG_KEEP) {
                    logLines.removeFirst();
                }
                logLines.addLast(line);
            }
        }
    }

    private final class Transport implements ClientTransport {
        @Override
        public void postMessage(int connectionId, MemorySegment message, int length) {
            if (length < 0 || length > VmbusConstants.MAX_MESSAGE_SIZE || length > message.byteSize()) {
                throw new IllegalArgumentException("message of " + length + " bytes");
            }
            messagesToHost.incrementAndGet();
            put(toHost, message.asSlice(0, length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }

        @Override
        public void signalHost(int connectionId) {
            signalsToHost.incrementAndGet();
            Integer relid = relidByConnection.get(connectionId);
            if (relid != null) {
                server.onChannelSignal(relid);
            }
        }

        @Override
        public void attach(Receiver r) {
            receiver = r;
        }
    }
}
