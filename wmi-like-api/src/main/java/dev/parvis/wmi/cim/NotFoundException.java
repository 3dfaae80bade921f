package dev.parvis.wmi.cim;

/** No instance, class or subscription of that name. */
public final class NotFoundException extends CimException {
    public NotFoundException(String message) {
        super(message);
    }
}
