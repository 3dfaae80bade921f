package dev.parvis.wmi.client;

import dev.parvis.wmi.event.EventBatch;
import java.time.Duration;

/** An event query's stream: poll for the next events, close to stop. */
public interface EventSubscription extends AutoCloseable {
    /** Waits up to {@code timeout} (at most 30 s) for events; returns at most {@code max} (1..1000). */
    EventBatch poll(int max, Duration timeout);

    @Override
    void close();
}
