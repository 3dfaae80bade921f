package dev.parvis.vmbus.device;

/**
 * A GPA-direct packet's ranges cannot be resolved: malformed range list, or pages the child
 * cannot grant. Guest-caused; a device answers it with its protocol's error completion.
 */
public final class GpaDirectRefusedException extends Exception {
    public GpaDirectRefusedException(String message) {
        super(message);
    }

    public GpaDirectRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
