package dev.parvis.hv.vp;

import dev.parvis.hv.backend.VpEngine;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * The kernel thread that ends run slices. It kicks every engine whose slice deadline passed, and
 * re-kicks every running engine whose kick is still unacknowledged: a backend stop that lands
 * while the engine is entering the guest can be lost (uc_emu_stop is not sticky), so a kick is
 * repeated until the run it was meant for has returned.
 */
public final class VpPreempter implements AutoCloseable {
    private static final long TICK_NANOS = 500_000;

    private final Map<VpEngine, Long> deadlines = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    public VpPreempter() {
        thread = Thread.ofPlatform().name("parvis-preempter").daemon(true).start(this::loop);
    }

    void arm(VpEngine engine, long deadlineNanos) {
        deadlines.put(engine, deadlineNanos);
    }

    void disarm(VpEngine engine) {
        deadlines.remove(engine);
    }

    private void loop() {
        while (!closed) {
            LockSupport.parkNanos(TICK_NANOS);
            long now = System.nanoTime();
            deadlines.forEach((engine, deadline) -> {
                if (now - deadline >= 0 || engine.kickPending()) {
                    engine.kick();
                }
            });
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
    }
}
