package dev.parvis.vmbus.server;

import dev.parvis.vmcore.GuestMemoryView;

/** The lifecycle of one GPADL handle on a connection (hyperv-abi-vmbus.md section 6.6). */
sealed interface GpadlState {

    int relid();

    /** GPADL_HEADER seen; {@code filled} of {@code pfns.length} PFNs received so far. */
    record Assembling(int relid, int byteOffset, int byteCount, long[] pfns, int filled) implements GpadlState {
    }

    /**
     * Every page granted ({@code gpns}, in order); {@code view} reaches them. {@code user} is the channel whose rings live
     * here (null when none); a teardown requested while in use waits for that channel to stop.
     */
    record Created(int relid, int byteOffset, int byteCount, long[] gpns, GuestMemoryView view, ServerChannel user,
                   boolean teardownRequested) implements GpadlState {
        Created withUser(ServerChannel channel) {
            return new Created(relid, byteOffset, byteCount, gpns, view, channel, teardownRequested);
        }

        Created withTeardownRequested() {
            return new Created(relid, byteOffset, byteCount, gpns, view, user, true);
        }
    }
}
