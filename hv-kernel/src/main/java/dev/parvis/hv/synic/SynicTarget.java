package dev.parvis.hv.synic;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvStatus;

/** Something a port can deliver to: a child VP's SynIC or the root's inbox. */
public interface SynicTarget {

    /** Delivers or queues a message for {@code sint}; INSUFFICIENT_BUFFERS when the queue is full. */
    HvStatus postMessage(int sint, HvMessage message);

    /** Sets event flag {@code flag} of {@code sint}; returns whether it was newly set. */
    boolean signalEvent(int sint, int flag);
}
