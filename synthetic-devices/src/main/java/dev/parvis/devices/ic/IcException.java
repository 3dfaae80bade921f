package dev.parvis.devices.ic;

/**
 * A host-side IC failure: no channel, a send that failed, a guest that did not answer in time, a
 * malformed answer or a refusing status. {@code result} is the guest's status when it answered.
 */
public final class IcException extends Exception {
    private final transient IcResult result;

    public IcException(String message) {
        this(message, null);
    }

    public IcException(String message, IcResult result) {
        super(message);
        this.result = result;
    }

    /** The guest's answer when the failure is a refusing status, else null. */
    public IcResult result() {
        return result;
    }
}
