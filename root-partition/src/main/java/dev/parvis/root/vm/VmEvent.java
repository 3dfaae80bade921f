package dev.parvis.root.vm;

import java.time.Instant;
import java.util.UUID;

/** What the management service tells subscribers (the __InstanceModificationEvent pairs of WMI). */
public sealed interface VmEvent {
    UUID id();

    Instant at();

    record StateChanged(UUID id, String name, VmState from, VmState to, Instant at) implements VmEvent {}

    /** A request or the VM itself failed; the VM's state says where it ended. */
    record Failed(UUID id, String name, String reason, Instant at) implements VmEvent {}

    record ConfigChanged(UUID id, Instant at) implements VmEvent {}

    /** Something a user should know about a request that still succeeded (a stop that had to turn off). */
    record Notice(UUID id, String name, String message, Instant at) implements VmEvent {}

    /** The VM's configuration and saved state were deleted. */
    record Removed(UUID id, String name, Instant at) implements VmEvent {}
}
