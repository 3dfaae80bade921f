package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.ChannelMessage;
import dev.parvis.vmcore.GrantRefusedException;
import dev.parvis.vmcore.GuestMemoryView;
import org.slf4j.LoggerFactory;

/**
 * Every side effect of a {@link VmbusServer}, for one child connection. The root implements it over
 * the hypervisor (SynIC message port, root event ports, HvCallSignalEvent, GuestMemoryGrants); the
 * loopback implements it in process. {@link #sendMessage}, {@link #createChannelSignal} and
 * {@link #releaseChannelSignal} are called with the server's lock held: from the thread driving
 * the server, or from a channel's worker when its channel stops (GPADL_TORNDOWN of a teardown
 * that waited for the close). {@link #signalGuest}, {@link #openGuestPages} and {@link #log} are
 * also called from channel worker and device threads. Every method must be thread-safe, must not
 * call back into the server, and may block only briefly (a full SynIC slot).
 */
public interface ServerEffects {

    /**
     * Posts a control message to the guest: HV message type 1 on SINT {@code target.sint()} of VP
     * {@code target.vp()}; {@code message.write} into a 240-byte buffer, {@code message.size()} bytes.
     */
    void sendMessage(ChannelMessage message, GuestTarget target);

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

    /** One guest-caused error line, already rate-limited by the server. */
    default void log(String line) {
        LoggerFactory.getLogger(VmbusServer.class).warn(line);
    }
}
