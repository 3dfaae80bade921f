package dev.parvis.root.vm;

import dev.parvis.abi.hv.HvMessage;
import java.time.Instant;
import java.util.Optional;

/**
 * The messages one VM's guest posts to the root (its test guests report this way): the last one,
 * numbered from 1 per worker, with when it arrived. Written on the router's thread, read by anyone.
 */
final class GuestMailbox {
    private volatile Received last;
    private long count;

    /** One message the guest posted to the root. */
    record Received(long sequence, byte[] payload, Instant receivedAt) {
    }

    synchronized void accept(HvMessage m) {
        last = new Received(++count, m.payload().clone(), Instant.now());
    }

    /** A copy of the last message's payload. */
    Optional<byte[]> lastPayload() {
        Received m = last;
        return m == null ? Optional.empty() : Optional.of(m.payload().clone());
    }

    /** A copy of the last message. */
    Optional<Received> last() {
        Received m = last;
        return m == null ? Optional.empty() : Optional.of(new Received(m.sequence(), m.payload().clone(), m.receivedAt()));
    }
}
