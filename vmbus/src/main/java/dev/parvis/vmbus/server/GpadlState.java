package dev.parvis.vmbus.server;

import dev.parvis.vmcore.GuestMemoryView;

/**
 * The lifecycle of one GPADL handle on a connection (hyperv-abi-vmbus.md section 6.6): assembled
 * from GPADL_HEADER and GPADL_BODY messages, granted by the kernel off the control path, then
 * created. Every state is saveable; only {@link Created} holds a live view.
 */
sealed interface GpadlState {

    int relid();

    int byteOffset();

    int byteCount();

    /** GPADL_HEADER seen; {@code filled} of {@code pfns.length} PFNs received so far. */
    record Assembling(int relid, int byteOffset, int byteCount, long[] pfns, int filled) implements GpadlState {
    }

    /**
     * Every PFN received; the grant request {@code epoch} is running. {@code teardownRequested}: the
     * guest tore it down before GPADL_CREATED (answered with GPADL_TORNDOWN once the grant is back).
     */
    record Granting(int relid, int byteOffset, int byteCount, long[] gpns, long epoch, boolean teardownRequested)
            implements GpadlState {
        Granting withTeardownRequested() {
            return new Granting(relid, byteOffset, byteCount, gpns, epoch, true);
        }
    }

    /**
     * Every page granted ({@code gpns}, in order); {@code view} reaches them. {@code user} is the
     * relid whose rings live here (0 when none); a teardown requested while in use waits for that
     * channel to close.
     */
    record Created(int relid, int byteOffset, int byteCount, long[] gpns, GuestMemoryView view, int user,
                   boolean teardownRequested) implements GpadlState {
        Created withUser(int channel) {
            return new Created(relid, byteOffset, byteCount, gpns, view, channel, teardownRequested);
        }

        Created withTeardownRequested() {
            return new Created(relid, byteOffset, byteCount, gpns, view, user, true);
        }
    }
}
