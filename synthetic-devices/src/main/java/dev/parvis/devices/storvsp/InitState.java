package dev.parvis.devices.storvsp;

import dev.parvis.devices.storvsp.protocol.ProtocolVersion;

/**
 * The initialization handshake of one storvsc channel (hyperv-abi-vmbus.md 10.3): BEGIN, version
 * queries until one is accepted, properties, END; only then EXECUTE_SRB.
 */
sealed interface InitState {

    /** The channel opened; the guest has not sent BEGIN_INITIALIZATION. */
    record AwaitingBegin() implements InitState {}

    /** BEGIN arrived; {@code version} is the accepted version, or null before one is. */
    record Negotiating(ProtocolVersion version) implements InitState {}

    /** END arrived after a version was accepted: requests flow. */
    record Ready(ProtocolVersion version) implements InitState {}

    InitState AWAITING_BEGIN = new AwaitingBegin();
}
