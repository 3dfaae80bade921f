package dev.parvis.wmi.cim;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An intrinsic event: the instance now ({@code target}) and, for a modification, the instance
 * before ({@code previous}) — WMI's TargetInstance and PreviousInstance.
 */
public record CimEvent(Kind kind, CimInstance target, Optional<CimInstance> previous, Instant timeCreated) {

    /** The intrinsic event classes. */
    public enum Kind {
        CREATION("__InstanceCreationEvent"),
        MODIFICATION("__InstanceModificationEvent"),
        DELETION("__InstanceDeletionEvent");

        private final String className;

        Kind(String className) {
            this.className = className;
        }

        public String className() {
            return className;
        }

        /** The kind an event class names (case-insensitive); empty for other classes. */
        public static Optional<Kind> of(String className) {
            for (Kind k : values()) {
                if (k.className.equalsIgnoreCase(className)) {
                    return Optional.of(k);
                }
            }
            return Optional.empty();
        }
    }

    public CimEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(previous, "previous");
        Objects.requireNonNull(timeCreated, "timeCreated");
    }
}
