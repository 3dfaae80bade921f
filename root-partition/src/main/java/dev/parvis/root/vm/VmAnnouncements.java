package dev.parvis.root.vm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What a VM's worker tells the world about a request it executes, held until the request is
 * answered: its events (state changes, failures, notices) and the host-state marker in the VM's
 * directory (except that a state of work in progress goes out at once, see {@link #stateChanged}). A caller waiting for Start-VM is told Running first, and the event thread's wake-up
 * and the marker's file writes (open, write, rename: tens to hundreds of microseconds, more on a
 * busy disk) follow on the worker before it takes the next request, so they cost the next request
 * nothing either. Order is kept: announcements go out in the order the worker made them, and all
 * of one request's go out before anything of the next request happens.
 *
 * <p>Held only on the worker's own thread; made from any other thread they go out at once.
 */
final class VmAnnouncements {
    private final Consumer<VmEvent> events;
    private final List<Runnable> held = new ArrayList<>();
    private Thread worker;

    VmAnnouncements(Consumer<VmEvent> events) {
        this.events = events;
    }

    /** The thread whose announcements are held until {@link #release}. */
    void heldOn(Thread thread) {
        worker = thread;
    }

    void event(VmEvent event) {
        announce(() -> events.accept(event));
    }

    /**
     * A state change: its event, and for a stable state the host-state marker in {@code vmDirectory}
     * (not while the host is stopping: the marker keeps the state the user left the VM in). Entering
     * Starting, Stopping or Saving releases what is held at once: work in progress (a graceful stop,
     * a save) is heard while it goes on.
     */
    void stateChanged(VmEvent.StateChanged change, Path vmDirectory, boolean hostStopping) {
        event(change);
        boolean stable = VmTransitions.isLive(change.to()) || VmTransitions.isAtRest(change.to());
        if (stable && !hostStopping) {
            announce(() -> HostStateMarker.write(vmDirectory, change.name(), change.to()));
        }
        if (!stable) {
            release();
        }
    }

    /** Sends what the worker held, in order (worker thread, once the request in hand is answered). */
    void release() {
        for (int i = 0; i < held.size(); i++) {
            held.get(i).run();
        }
        held.clear();
    }

    private void announce(Runnable r) {
        if (Thread.currentThread() == worker) {
            held.add(r);
        } else {
            r.run();
        }
    }
}
