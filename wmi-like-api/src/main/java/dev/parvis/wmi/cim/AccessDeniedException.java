package dev.parvis.wmi.cim;

/** The caller's role does not allow the call (a reader invoking a method), or a path outside the storage directories. */
public final class AccessDeniedException extends CimException {
    public AccessDeniedException(String message) {
        super(message);
    }
}
