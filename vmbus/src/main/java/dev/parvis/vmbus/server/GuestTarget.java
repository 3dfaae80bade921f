package dev.parvis.vmbus.server;

/** Where control messages for the guest go: SINT {@code sint} of virtual processor {@code vp}. */
public record GuestTarget(int vp, int sint) {
}
