package dev.parvis.shell.hyperv;

import dev.parvis.shell.runtime.PSObject;

/**
 * A user name and password for a remote host, as the PSCredential object scripts hold: UserName is a
 * property, the password is not (it never shows in output, JSON or CSV).
 */
record Credential(String userName, String password) {
    static final String TYPE = "System.Management.Automation.PSCredential";

    /** Never the password (a record's default toString would print it). */
    @Override
    public String toString() {
        return "Credential[" + userName + "]";
    }

    PSObject toObject() {
        return new CredentialObject(this).object();
    }

    /** The credential a PSCredential object carries, or null when {@code o} is not one. */
    static Credential of(Object o) {
        return o instanceof PSObject p && p.isA(TYPE) ? CredentialObject.credentialOf(p) : null;
    }
}
