package dev.parvis.wmi.event;

import dev.parvis.wmi.cim.BusyException;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.wql.WqlQuery;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every subscription's looks on one thread, so each subscription sees the host's changes in
 * the order they happened: on its WITHIN interval, and at once when {@link #changed()} is called
 * (the model calls it for every VM management event). At most {@value #MAX_SUBSCRIPTIONS}
 * subscriptions exist at once.
 */
public final class EventHub implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventHub.class);
    public static final int MAX_SUBSCRIPTIONS = 1024;

    private final Function<String, List<CimInstance>> instances;
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("parvis-wmi-events").daemon(true).unstarted(r));

    /** @param instances the instances of a class as the event stream sees them (called on the hub thread) */
    public EventHub(Function<String, List<CimInstance>> instances) {
        this.instances = instances;
    }

    /** Starts a subscription whose baseline is the instances of its class now. */
    public Subscription subscribe(WqlQuery.EventSelect query, String owner) {
        if (subscriptions.size() >= MAX_SUBSCRIPTIONS) {
            throw new BusyException("the host already has " + MAX_SUBSCRIPTIONS + " event subscriptions");
        }
        Subscription s = new Subscription(UUID.randomUUID().toString(), query, owner, this);
        try {
            thread.submit(() -> s.baseline(instances.apply(query.targetClass()))).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BusyException("interrupted while subscribing");
        }
        subscriptions.put(s.id(), s);
        long period = Math.max(1, Subscription.millis(s.interval()));
        s.ticker = thread.scheduleWithFixedDelay(() -> look(s), period, period, TimeUnit.MILLISECONDS);
        return s;
    }

    public java.util.Optional<Subscription> get(String id) {
        return java.util.Optional.ofNullable(subscriptions.get(id));
    }

    public int size() {
        return subscriptions.size();
    }

    /** Something changed on the host: every subscription looks now (in order with earlier changes). */
    public void changed() {
        thread.execute(() -> subscriptions.values().forEach(this::look));
    }

    /** Runs {@code task} on the hub thread, in order with the looks (the model records VM states this way). */
    public void onHubThread(Runnable task) {
        thread.execute(task);
    }

    private void look(Subscription s) {
        if (s.isClosed()) {
            return;
        }
        try {
            s.observe(instances.apply(s.query().targetClass()), Instant.now());
        } catch (RuntimeException e) {
            LOG.warn("event subscription {} ({}): {}", s.id(), s.query().targetClass(), e.toString());
        }
    }

    void remove(Subscription s) {
        subscriptions.remove(s.id(), s);
        s.cancelTicker();
    }

    @Override
    public void close() {
        List.copyOf(subscriptions.values()).forEach(Subscription::close);
        thread.shutdownNow();
    }
}
