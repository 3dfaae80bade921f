package dev.parvis.wmi.model;

import java.util.Locale;
import java.util.Optional;

/** What a caller may do: an administrator everything; a reader queries, instances and events only. */
public enum Role {
    ADMINISTRATOR, READER;

    public boolean mayInvokeMethods() {
        return this == ADMINISTRATOR;
    }

    /** The name used on the command line, in the user store and on the wire. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> ofWireName(String name) {
        for (Role r : values()) {
            if (r.wireName().equalsIgnoreCase(name)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
