package dev.parvis.vmcore;

/** The hypervisor's page pool cannot supply the requested pages. */
public final class InsufficientMemoryException extends RuntimeException {
    public InsufficientMemoryException(String message) {
        super(message);
    }
}
