package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.ChannelMessage;
import dev.parvis.vmcore.GrantRefusedException;
import dev.parvis.vmcore.GuestMemoryView;
import dev.parvis.vmcore.GuestRamWindow;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executor;

/**
 * Every side effect of a {@link VmbusServer}, for one child connection. The root implements it over
 * the hypervisor (SynIC message port, root event ports, HvCallSignalEvent, GuestMemoryGrants); the
 * loopback implements it in process. {@link #sendMessage}, {@link #retryLater},
 * {@link #createChannelSignal} and {@link #releaseChannelSignal} are called with the server's lock
 * held. {@link #signalGuest}, {@link #openGuestPages}, {@link #guestRam} and {@link #log} are also called from channel
 * turns and device threads. Every method must be thread-safe, must not call back into the server
 * and must not block.
 */
public interface ServerEffects {

    /**
     * Posts a control message to the guest: HV message type 1 on SINT {@code target.sint()} of VP
     * {@code target.vp()}; {@code message.write} into a 240-byte buffer, {@code message.size()} bytes.
     *
     * @return false when the guest's message queue is full: nothing was posted, the server keeps the
     *     message (and every later one, in order) and asks for {@link #retryLater}
     */
    boolean sendMessage(ChannelMessage message, GuestTarget target);

    /**
     * The server holds messages the guest's queue refused: call {@link VmbusServer#flush()} a little
     * later, from a thread that serves this child's control path (never inline, never by sleeping on
     * a thread other children need). Repeated calls before that flush may be coalesced.
     */
    void retryLater();

    /**
     * Creates the guest-to-root signal path for channel {@code relid} (a root event port the guest
     * reaches with HvCallSignalEvent) and returns the connection id to put in its offer, e.g.
     * {@code 0x2000 | relid}. Guest signals on it must reach {@link VmbusServer#onChannelSignal}.
     */
    int createChannelSignal(int relid);

    /** Removes the path made by {@link #createChannelSignal} (relid released or connection unloaded). */
    void releaseChannelSignal(int relid);

    /** Signals the guest for channel {@code relid}: SINT2 event flag {@code relid} on VP {@code targetVp}. */
    void signalGuest(int relid, int targetVp);

    /**
     * Opens a revocable view of the child's pages {@code gpns}, in order (GuestMemoryGrants.open for
     * this child's partition).
     *
     * @throws GrantRefusedException when a page is not mapped read-write in the child
     */
    GuestMemoryView openGuestPages(long[] gpns);

    /**
     * The child's RAM as device data paths reach it (the buffers of GPA-direct packets): one window
     * for the connection, resolved per request without a grant per request, opened on first use and
     * closed by the owner of these effects when the child goes.
     */
    GuestRamWindow guestRam();

    /**
     * Where channel turns run: each turn handles one channel's ring for a bounded budget and returns,
     * so turns of many channels interleave on however many threads this executor has. Turns of one
     * channel never overlap. A virtual thread per turn by default.
     */
    default Executor channelExecutor() {
        return ChannelTurns.VIRTUAL;
    }

    /**
     * Where a connection's requests run (GPADL grants, ring construction and the device's open, view
     * releases): never the thread that feeds the server guest messages. The server runs at most one
     * request of a connection at a time, in order. A virtual thread per request by default.
     */
    default Executor requestExecutor() {
        return ChannelTurns.VIRTUAL;
    }

    /** One guest-caused error line, already rate-limited by the server. */
    default void log(String line) {
        LoggerFactory.getLogger(VmbusServer.class).warn(line);
    }
}
