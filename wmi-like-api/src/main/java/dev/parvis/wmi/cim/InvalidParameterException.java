package dev.parvis.wmi.cim;

/** A malformed or out-of-range argument (object path, method parameter, query semantics). */
public final class InvalidParameterException extends CimException {
    public InvalidParameterException(String message) {
        super(message);
    }
}
