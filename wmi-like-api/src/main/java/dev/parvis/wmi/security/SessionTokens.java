package dev.parvis.wmi.security;

import dev.parvis.wmi.cim.BusyException;
import dev.parvis.wmi.model.Caller;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Session tokens: 256 random bits handed out at login, so a client's further connections (an
 * event subscription's, a pool's) authenticate without the password and without another Argon2
 * hash. A token lives {@code idle} past its last use; at most {@code capacity} exist at once.
 */
public final class SessionTokens {
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Entry(Caller caller, Instant lastUse) {
    }

    private final Map<String, Entry> tokens = new ConcurrentHashMap<>();
    private final Duration idle;
    private final int capacity;
    private final InstantSource clock;

    public SessionTokens() {
        this(Duration.ofHours(1), 10_000, InstantSource.system());
    }

    public SessionTokens(Duration idle, int capacity, InstantSource clock) {
        this.idle = idle;
        this.capacity = capacity;
        this.clock = clock;
    }

    public String issue(Caller caller) {
        Instant now = clock.instant();
        if (tokens.size() >= capacity) {
            tokens.values().removeIf(e -> e.lastUse().plus(idle).isBefore(now));
            if (tokens.size() >= capacity) {
                throw new BusyException("too many open sessions");
            }
        }
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        tokens.put(token, new Entry(caller, now));
        return token;
    }

    /** The caller a live token stands for (and the token's life starts again). */
    public Optional<Caller> resume(String token) {
        if (token == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Entry e = tokens.get(token);
        if (e == null || e.lastUse().plus(idle).isBefore(now)) {
            if (e != null) {
                tokens.remove(token, e);
            }
            return Optional.empty();
        }
        tokens.put(token, new Entry(e.caller(), now));
        return Optional.of(e.caller());
    }
}
