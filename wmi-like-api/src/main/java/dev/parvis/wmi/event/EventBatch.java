package dev.parvis.wmi.event;

import dev.parvis.wmi.cim.CimEvent;
import java.util.List;

/** What one poll returns: events in order, and how many were dropped for a full queue since the last poll. */
public record EventBatch(List<CimEvent> events, int dropped) {
    public EventBatch {
        events = List.copyOf(events);
    }
}
