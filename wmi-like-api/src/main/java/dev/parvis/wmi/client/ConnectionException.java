package dev.parvis.wmi.client;

/** The connection to the management server failed (refused, TLS, closed, timed out). */
public final class ConnectionException extends RuntimeException {
    public ConnectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
