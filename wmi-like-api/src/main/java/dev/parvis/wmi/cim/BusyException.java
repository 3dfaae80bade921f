package dev.parvis.wmi.cim;

/** The host is at one of its limits (connections, subscriptions, jobs); retry later. */
public final class BusyException extends CimException {
    public BusyException(String message) {
        super(message);
    }
}
