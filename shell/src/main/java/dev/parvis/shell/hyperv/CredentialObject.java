package dev.parvis.shell.hyperv;

import dev.parvis.shell.runtime.PSObject;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/** Keeps each PSCredential object's password beside it, out of its properties. */
final class CredentialObject {
    private static final Map<PSObject, Credential> SECRETS = Collections.synchronizedMap(new WeakHashMap<>());
    private final Credential credential;

    CredentialObject(Credential credential) {
        this.credential = credential;
    }

    PSObject object() {
        PSObject o = PSObject.of(Credential.TYPE, "System.Management.Automation.PSCredential").add("UserName", credential.userName())
                .add("Password", "System.Security.SecureString");
        SECRETS.put(o, credential);
        return o;
    }

    static Credential credentialOf(PSObject o) {
        return SECRETS.get(o);
    }
}
