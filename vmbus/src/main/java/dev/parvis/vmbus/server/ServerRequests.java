package dev.parvis.vmbus.server;

import dev.parvis.vmbus.device.ChannelHandler;
import dev.parvis.vmcore.GrantRefusedException;
import dev.parvis.vmcore.GuestMemoryView;
import java.util.ArrayList;
import java.util.List;

/**
 * The server's effects that take time, as requests and completions (OpenVMM's channels.rs keeps
 * them the same way): a GPADL grant, building a channel's rings and the device's {@code open}, a
 * view release. Each runs on the connection's {@link RequestRunner}, off the control path, and
 * reports back with a completion that runs under the server's monitor and moves the state on
 * (Granting to Created, Opening to Open, or to a failure). Each request carries an epoch, so a
 * completion that finds its GPADL or channel gone or replaced is recognised as stale.
 *
 * <p>While the server is frozen for a save, completions are held: the saved state still shows the
 * request in progress, and a restore runs it again. They run when the server resumes or closes.
 */
final class ServerRequests {
    private final VmbusServer server;
    private final ServerEffects effects;
    private final RequestRunner runner;
    /** Guarded by the server's monitor, like everything below. */
    private final List<Runnable> held = new ArrayList<>();
    private long nextEpoch = 1;
    private boolean holding;

    ServerRequests(VmbusServer server, ServerEffects effects) {
        this.server = server;
        this.effects = effects;
        this.runner = new RequestRunner(effects.requestExecutor());
    }

    /** Opens {@code offer}'s channel on the rings of {@code view}; its completion moves Opening on. */
    long open(Offer offer, GuestMemoryView view, VmbusServerState.Open request) {
        long epoch = nextEpoch++;
        runner.submit(() -> runOpen(offer, view, request, epoch));
        return epoch;
    }

    /** Grants the pages of GPADL {@code handle}; its completion moves Granting on. */
    long grant(int handle, long[] gpns) {
        long epoch = nextEpoch++;
        runner.submit(() -> runGrant(handle, gpns, epoch));
        return epoch;
    }

    void releaseView(GuestMemoryView view) {
        runner.submit(() -> {
            try {
                view.close();
            } catch (RuntimeException e) {
                // Revoked by the kernel already: nothing left to release.
            }
        });
    }

    /** On the runner: builds the rings and asks the device. */
    private void runOpen(Offer offer, GuestMemoryView view, VmbusServerState.Open request, long epoch) {
        try {
            ServerChannel channel = ChannelOpening.build(server, effects, server.errors(), server.config(), offer, view, request);
            ChannelHandler handler = offer.device.open(channel);
            if (handler == null) {
                throw new IllegalStateException("device returned no handler");
            }
            complete(() -> server.channels().opened(offer.relid, epoch, channel, handler));
        } catch (RuntimeException e) {
            String reason = String.valueOf(e.getMessage());
            complete(() -> server.channels().openFailed(offer.relid, epoch, reason));
        } catch (Throwable t) {
            complete(() -> {
                server.channels().openFailed(offer.relid, epoch, t.toString());
                server.fail("opening channel " + offer.relid + " failed on the host: " + t);
            });
        }
    }

    private void runGrant(int handle, long[] gpns, long epoch) {
        GuestMemoryView view = null;
        String refusal = null;
        try {
            view = effects.openGuestPages(gpns);
        } catch (GrantRefusedException e) {
            refusal = e.getMessage();
        } catch (Throwable t) {
            refusal = "grant failed on the host: " + t;
        }
        GuestMemoryView granted = view;
        String why = refusal;
        complete(() -> server.gpadls().onGranted(handle, epoch, granted, why));
    }

    /** Runs {@code completion} under the server's monitor now, or later while completions are held. */
    void complete(Runnable completion) {
        synchronized (server) {
            if (holding) {
                held.add(completion);
            } else {
                completion.run();
            }
        }
    }

    /** From now on completions wait (the server froze for a save). Caller holds the server's monitor. */
    void hold() {
        holding = true;
    }

    /** Runs the held completions in order and stops holding. Caller holds the server's monitor. */
    void runHeld() {
        holding = false;
        List<Runnable> due = List.copyOf(held);
        held.clear();
        due.forEach(Runnable::run);
    }
}
