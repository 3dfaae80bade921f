package dev.parvis.devices.vhdx;

import dev.parvis.devices.vhdx.format.LogEntry;
import dev.parvis.devices.vhdx.format.LogUpdate;
import java.util.List;

/**
 * The active log sequence found on open ([MS-VHDX] 2.3.2): entries from the tail to the head, in the
 * order they are replayed.
 */
record LogSequence(List<LogEntry> entries) {
    LogSequence {
        entries = List.copyOf(entries);
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("a log sequence has at least one entry");
        }
    }

    LogEntry head() {
        return entries.getLast();
    }

    /** Every update of every entry, in replay order. */
    List<LogUpdate> updates() {
        return entries.stream().flatMap(e -> e.updates().stream()).toList();
    }
}
