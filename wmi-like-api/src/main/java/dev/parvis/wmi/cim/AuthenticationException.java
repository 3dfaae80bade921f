package dev.parvis.wmi.cim;

/** A wrong, missing or unknown credential, or a call before login. */
public final class AuthenticationException extends CimException {
    public AuthenticationException(String message) {
        super(message);
    }
}
