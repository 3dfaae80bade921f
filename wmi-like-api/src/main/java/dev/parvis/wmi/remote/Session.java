package dev.parvis.wmi.remote;

import dev.parvis.wmi.event.Subscription;
import dev.parvis.wmi.model.Caller;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** One connection's state: where it comes from, who logged in, the subscriptions it holds. */
final class Session implements AutoCloseable {
    private final String remote;
    private Caller caller;
    private int failedLogins;
    private boolean closeRequested;
    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();

    Session(String remote) {
        this.remote = remote;
    }

    String remote() {
        return remote;
    }

    synchronized Optional<Caller> caller() {
        return Optional.ofNullable(caller);
    }

    synchronized String user() {
        return caller == null ? "-" : caller.user();
    }

    synchronized void loggedIn(Caller c) {
        caller = c;
    }

    /** Counts a failed login; true when the connection must now be closed. */
    synchronized boolean loginFailed(int limit) {
        if (++failedLogins >= limit) {
            closeRequested = true;
        }
        return closeRequested;
    }

    synchronized boolean closeRequested() {
        return closeRequested;
    }

    synchronized int subscriptionCount() {
        return subscriptions.size();
    }

    synchronized void add(Subscription s) {
        subscriptions.put(s.id(), s);
    }

    synchronized Optional<Subscription> subscription(String id) {
        return Optional.ofNullable(subscriptions.get(id));
    }

    synchronized Optional<Subscription> remove(String id) {
        return Optional.ofNullable(subscriptions.remove(id));
    }

    @Override
    public void close() {
        Map<String, Subscription> held;
        synchronized (this) {
            held = new LinkedHashMap<>(subscriptions);
            subscriptions.clear();
        }
        held.values().forEach(Subscription::close);
    }
}
