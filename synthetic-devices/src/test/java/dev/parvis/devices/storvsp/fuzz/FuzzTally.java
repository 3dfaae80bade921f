package dev.parvis.devices.storvsp.fuzz;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a fuzz run saw: outcomes by kind, and failures grouped by kind (numbers left out of the
 * message) with how many cases showed each and the first of them, named so it can be replayed.
 */
final class FuzzTally {
    private static final Pattern NUMBERS = Pattern.compile("0x[0-9a-fA-F]+|-?\\d+");
    /** Past this many failing cases the run stops: the rest would repeat them. */
    static final int MAX_FAILURES = 200;

    /** One kind of failure: how many cases, and the first one's description. */
    record Failure(int count, String first) {}

    private final Map<String, Long> outcomes = new TreeMap<>();
    private final Map<String, Failure> failures = new TreeMap<>();
    private int failed;

    void count(String outcome) {
        outcomes.merge(outcome, 1L, Long::sum);
    }

    void failed(String where, String message) {
        failed++;
        String kind = NUMBERS.matcher(message.lines().findFirst().orElse("")).replaceAll("#");
        failures.merge(kind, new Failure(1, where + ": " + message),
                (a, b) -> new Failure(a.count() + 1, a.first()));
    }

    boolean tooManyFailures() {
        return failed >= MAX_FAILURES;
    }

    boolean passed() {
        return failures.isEmpty();
    }

    String outcomes() {
        StringBuilder out = new StringBuilder();
        outcomes.forEach((kind, n) -> out.append("%9d  %s%n".formatted(n, kind)));
        return out.toString();
    }

    String failures() {
        StringBuilder out = new StringBuilder(failed + " failing cases, " + failures.size() + " kinds:");
        failures.forEach((kind, f) -> out.append("\n%d cases, first %s".formatted(f.count(), f.first())));
        return out.toString();
    }
}
