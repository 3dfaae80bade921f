package dev.parvis.root.vm;

/**
 * A VM management failure on the host side: the family every management request fails with
 * (an illegal state, a refused start, an unreadable saved state).
 */
public class VmException extends RuntimeException {
    public VmException(String message) {
        super(message);
    }

    public VmException(String message, Throwable cause) {
        super(message, cause);
    }
}
