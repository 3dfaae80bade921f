package dev.parvis.wmi.model;

import java.util.Objects;

/** Who asks the model: an authenticated user and their role (in-process clients name themselves). */
public record Caller(String user, Role role) {
    public Caller {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(role, "role");
    }

    /** The host's own process (the command line on the host, tests, the in-process shell). */
    public static final Caller HOST = new Caller("host", Role.ADMINISTRATOR);
}
