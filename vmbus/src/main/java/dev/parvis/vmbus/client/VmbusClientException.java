package dev.parvis.vmbus.client;

/**
 * A client operation failed: the host refused (with its status), did not answer in time, or broke
 * the protocol. {@link #status()} is the host's status word when it sent one, else 0.
 */
public final class VmbusClientException extends Exception {
    private final int status;

    public VmbusClientException(String message) {
        this(message, 0);
    }

    public VmbusClientException(String message, int status) {
        super(message);
        this.status = status;
    }

    public VmbusClientException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
    }

    public int status() {
        return status;
    }
}
