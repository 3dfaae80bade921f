package dev.parvis.hv.synic;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A message queue shared by several senders (partitions) in which each sender has its own bounded
 * share: a sender whose share is full is refused while the others still get in, and the head is
 * taken round-robin over the senders that have something queued, so a flooding sender delays the
 * others' messages by at most one of its own each. Messages of one sender keep their order.
 *
 * <p>Not thread-safe: its owner (a SynIC) guards it.
 */
final class FairQueue<T> {
    private final int perSender;
    private final Map<Long, ArrayDeque<T>> bySender = new HashMap<>();
    /** Senders with something queued, in the order they are served. */
    private final ArrayDeque<Long> turn = new ArrayDeque<>();
    private int size;

    /** @param perSender how many messages each sender may have queued (host-chosen) */
    FairQueue(int perSender) {
        if (perSender < 1) {
            throw new IllegalArgumentException("per-sender depth " + perSender);
        }
        this.perSender = perSender;
    }

    /** Queues {@code item} for {@code sender}; false when the sender's share is full. */
    boolean offer(long sender, T item) {
        ArrayDeque<T> q = bySender.get(sender);
        if (q == null) {
            q = new ArrayDeque<>();
            bySender.put(sender, q);
            turn.addLast(sender);
        } else if (q.size() >= perSender) {
            return false;
        }
        q.addLast(item);
        size++;
        return true;
    }

    /** The message {@link #poll} would take, or null. */
    T peek() {
        Long sender = turn.peekFirst();
        return sender == null ? null : bySender.get(sender).peekFirst();
    }

    /** The sender of the message {@link #peek} shows, or -1. */
    long peekSender() {
        Long sender = turn.peekFirst();
        return sender == null ? -1 : sender;
    }

    /** Takes the head of the sender whose turn it is, and passes the turn on. */
    T poll() {
        Long sender = turn.pollFirst();
        if (sender == null) {
            return null;
        }
        ArrayDeque<T> q = bySender.get(sender);
        T item = q.pollFirst();
        size--;
        if (q.isEmpty()) {
            bySender.remove(sender);
        } else {
            turn.addLast(sender);
        }
        return item;
    }

    /**
     * Everything queued, as (sender, item) in the order {@link #poll} would hand it out. Offering the
     * pairs in this order to an empty queue rebuilds this one exactly: the turn order is the order in
     * which the senders first appear, and each sender's items keep their order.
     */
    List<Map.Entry<Long, T>> inDeliveryOrder() {
        Map<Long, ArrayDeque<T>> copies = new HashMap<>();
        bySender.forEach((sender, q) -> copies.put(sender, new ArrayDeque<>(q)));
        ArrayDeque<Long> order = new ArrayDeque<>(turn);
        List<Map.Entry<Long, T>> out = new ArrayList<>(size);
        while (!order.isEmpty()) {
            Long sender = order.pollFirst();
            ArrayDeque<T> q = copies.get(sender);
            out.add(Map.entry(sender, q.pollFirst()));
            if (!q.isEmpty()) {
                order.addLast(sender);
            }
        }
        return out;
    }

    /** Drops everything {@code sender} has queued (it was deleted). */
    void removeSender(long sender) {
        ArrayDeque<T> q = bySender.remove(sender);
        if (q != null) {
            size -= q.size();
            turn.remove(sender);
        }
    }

    int queuedBy(long sender) {
        ArrayDeque<T> q = bySender.get(sender);
        return q == null ? 0 : q.size();
    }

    /** A copy of what {@code sender} has queued, oldest first. */
    java.util.List<T> itemsOf(long sender) {
        ArrayDeque<T> q = bySender.get(sender);
        return q == null ? java.util.List.of() : java.util.List.copyOf(q);
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }
}
