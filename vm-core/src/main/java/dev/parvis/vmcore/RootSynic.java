package dev.parvis.vmcore;

import dev.parvis.abi.hv.HvMessage;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The root partition's synthetic interrupt controller: messages posted to root ports, hypervisor
 * intercept messages ({@link #INTERCEPT_SINT}) and event flags signalled on root event ports.
 */
public interface RootSynic {

    /** SINT on which the hypervisor reports child intercepts; the message's sender is the child's partition id. */
    int INTERCEPT_SINT = 0;

    Optional<HvMessage> poll(int sint);

    /** Waits up to {@code timeout} for a message on {@code sint}. */
    Optional<HvMessage> take(int sint, Duration timeout) throws InterruptedException;

    /**
     * Waits up to {@code timeout} for a message on {@code sint} and hands it to {@code handOff} before
     * it stops counting as untaken: whatever reads what the root has not taken yet (a save's snapshot
     * of a child's intercept reports) sees the message either still queued or already handed over,
     * never in between. {@code handOff} runs under the SINT's lock, so it must only queue the message.
     * Returns whether a message was handed over.
     */
    boolean takeInto(int sint, Duration timeout, Consumer<HvMessage> handOff) throws InterruptedException;

    /**
     * How many messages {@code child} has posted on {@code sint} that the root has not taken yet. A
     * message being handed over by {@link #takeInto} is already not counted.
     */
    int queued(int sint, long child);

    /** Atomically clears and returns event flag {@code flag} of {@code sint}. */
    boolean testAndClearEvent(int sint, int flag);

    /**
     * Runs {@code listener} every time a child signals flag {@code flag} of {@code sint}, on the
     * signalling VP's thread: it must only hand off (unpark a thread, complete a future). The flag
     * is still set and must be cleared with {@link #testAndClearEvent}.
     */
    void subscribe(int sint, int flag, Runnable listener);

    void unsubscribe(int sint, int flag);

    /** Waits up to {@code timeout} until any flag of {@code sint} is set; returns whether one is. */
    boolean awaitEvent(int sint, Duration timeout) throws InterruptedException;
}
