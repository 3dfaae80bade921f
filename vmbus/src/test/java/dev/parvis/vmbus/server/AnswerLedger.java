package dev.parvis.vmbus.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The answers a fuzzed guest is owed, by what answers them ("VERSION", "GPADL:0x51" for
 * GPADL_CREATED or GPADL_TORNDOWN of that handle, "OPEN:3", ...). A request the protocol answers
 * and that the guest made properly (its model says the server can act on it) is owed exactly one
 * answer; one the guest cannot be sure of (a mutated message, a request racing an answer still in
 * flight, an open the guest closed again) at most one. So at every moment the answers of a key
 * number at most its requests, and when the server is idle at least its proper ones.
 */
final class AnswerLedger {
    private static final class Count {
        int must;
        int may;
        int got;
    }

    private final Map<String, Count> counts = new TreeMap<>();

    private Count count(String key) {
        return counts.computeIfAbsent(key, k -> new Count());
    }

    /** A request owed exactly one answer. */
    void owed(String key) {
        count(key).must++;
    }

    /** A request that may be answered once. */
    void maybe(String key) {
        count(key).may++;
    }

    /** An answer arrived; the reason it is one too many, or null. */
    String answered(String key) {
        Count c = count(key);
        c.got++;
        if (c.got > c.must + c.may) {
            return "answer " + key + " number " + c.got + " for " + (c.must + c.may) + " requests";
        }
        return null;
    }

    /** An answer still owed for {@code key} is no longer certain (the guest closed, unloaded, was rescinded). */
    void release(String key) {
        Count c = counts.get(key);
        if (c != null && c.got < c.must) {
            int open = c.must - c.got;
            c.must -= open;
            c.may += open;
        }
    }

    /** Every answer still owed, except those of keys {@code excused} (a teardown waiting for its channel). */
    void releaseAll(Predicate<String> keep) {
        counts.keySet().stream().filter(keep.negate()).toList().forEach(this::release);
    }

    /** The requests owed an answer that has not come, but those {@code excused}. */
    List<String> unanswered(Predicate<String> excused) {
        List<String> out = new ArrayList<>();
        counts.forEach((key, c) -> {
            if (c.got < c.must && !excused.test(key)) {
                out.add(key + " (" + c.got + " answers for " + c.must + " requests)");
            }
        });
        return out;
    }
}
