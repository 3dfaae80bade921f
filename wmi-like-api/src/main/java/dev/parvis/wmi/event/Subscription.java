package dev.parvis.wmi.event;

import dev.parvis.wmi.cim.CimEvent;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.ObjectPath;
import dev.parvis.wmi.wql.Conditions;
import dev.parvis.wmi.wql.Expr;
import dev.parvis.wmi.wql.Row;
import dev.parvis.wmi.wql.WqlQuery;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One event query's state: the instances it last saw (touched only on the hub's thread) and a
 * bounded queue of matched events (the oldest is dropped, and counted, when a slow client lets it
 * fill). {@link #poll} waits for events up to a timeout (long polling).
 */
public final class Subscription implements AutoCloseable {
    public static final int QUEUE_LIMIT = 1000;
    /** Counters that change on every look; a change of only these is not a modification. */
    static final Set<String> COUNTERS = Set.of("OnTimeInMilliseconds", "UpTime", "ElapsedTime", "TimeStamp", "Duration",
            "ProcessorLoad");

    private final String id;
    private final WqlQuery.EventSelect query;
    private final String owner;
    private final EventHub hub;
    private final Map<ObjectPath, CimInstance> last = new HashMap<>();
    private final ArrayDeque<CimEvent> queue = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private int dropped;
    private boolean closed;
    ScheduledFuture<?> ticker;

    Subscription(String id, WqlQuery.EventSelect query, String owner, EventHub hub) {
        this.id = id;
        this.query = query;
        this.owner = owner;
        this.hub = hub;
    }

    public String id() {
        return id;
    }

    public String owner() {
        return owner;
    }

    public WqlQuery.EventSelect query() {
        return query;
    }

    /** First look (hub thread): remembers the instances without reporting them. */
    void baseline(List<CimInstance> now) {
        for (CimInstance i : now) {
            last.put(i.path(), i);
        }
    }

    /** A later look (hub thread): reports what changed since the last one. */
    void observe(List<CimInstance> now, Instant at) {
        Map<ObjectPath, CimInstance> seen = new HashMap<>();
        List<CimEvent> events = new ArrayList<>();
        for (CimInstance i : now) {
            seen.put(i.path(), i);
            CimInstance before = last.get(i.path());
            if (before == null) {
                events.add(new CimEvent(CimEvent.Kind.CREATION, i, Optional.empty(), at));
            } else if (changed(before, i)) {
                events.add(new CimEvent(CimEvent.Kind.MODIFICATION, i, Optional.of(before), at));
            }
        }
        for (Map.Entry<ObjectPath, CimInstance> e : last.entrySet()) {
            if (!seen.containsKey(e.getKey())) {
                events.add(new CimEvent(CimEvent.Kind.DELETION, e.getValue(), Optional.empty(), at));
            }
        }
        last.clear();
        last.putAll(seen);
        for (CimEvent e : events) {
            if (e.kind() == query.kind() && Conditions.matches(query.where(), row(e))) {
                enqueue(e);
            }
        }
    }

    private static boolean changed(CimInstance a, CimInstance b) {
        if (a.properties().size() != b.properties().size()) {
            return true;
        }
        for (Map.Entry<String, ?> e : a.properties().entrySet()) {
            if (!COUNTERS.contains(e.getKey()) && !Objects.equals(e.getValue(), b.properties().get(e.getKey()))) {
                return true;
            }
        }
        return false;
    }

    /** TargetInstance.X and PreviousInstance.X of an event; ISA tests TargetInstance's class. */
    private static Row row(CimEvent e) {
        return new Row() {
            @Override
            public Optional<dev.parvis.wmi.cim.CimValue> value(Expr.Operand.Property p) {
                if (p.qualifier() == null) {
                    return Optional.empty();
                }
                if (p.qualifier().equalsIgnoreCase("TargetInstance")) {
                    return e.target().value(p.name());
                }
                return e.previous().flatMap(prev -> prev.value(p.name()));
            }

            @Override
            public Optional<String> className(Expr.Operand.Property p) {
                if (p.qualifier() == null && p.name().equalsIgnoreCase("TargetInstance")) {
                    return Optional.of(e.target().className());
                }
                if (p.qualifier() == null && p.name().equalsIgnoreCase("PreviousInstance")) {
                    return e.previous().map(CimInstance::className);
                }
                return Optional.empty();
            }
        };
    }

    private void enqueue(CimEvent e) {
        lock.lock();
        try {
            if (queue.size() == QUEUE_LIMIT) {
                queue.removeFirst();
                dropped++;
            }
            queue.addLast(e);
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits up to {@code timeout} for at least one event; returns at most {@code max}. */
    public EventBatch poll(int max, Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (queue.isEmpty() && !closed && nanos > 0) {
                nanos = arrived.awaitNanos(nanos);
            }
            List<CimEvent> out = new ArrayList<>();
            while (!queue.isEmpty() && out.size() < max) {
                out.add(queue.removeFirst());
            }
            int lost = dropped;
            dropped = 0;
            return new EventBatch(out, lost);
        } finally {
            lock.unlock();
        }
    }

    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        hub.remove(this);
    }

    Duration interval() {
        return query.within();
    }

    void cancelTicker() {
        if (ticker != null) {
            ticker.cancel(false);
        }
    }

    static long millis(Duration d) {
        return TimeUnit.NANOSECONDS.toMillis(d.toNanos());
    }
}
