package dev.parvis.hv.synic;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvStatus;

/** Something a port can deliver to: a child VP's SynIC or the root's inbox. */
public interface SynicTarget {

    /**
     * Delivers or queues a message for {@code sint} from partition {@code sender}; INSUFFICIENT_BUFFERS
     * when the sender's share of the queue is full (each sender has its own, so no sender can fill
     * the queue another needs).
     */
    HvStatus postMessage(long sender, int sint, HvMessage message);

    /** Sets event flag {@code flag} of {@code sint}; returns whether it was newly set. */
    boolean signalEvent(int sint, int flag);
}
