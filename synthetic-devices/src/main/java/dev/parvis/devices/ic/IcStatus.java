package dev.parvis.devices.ic;

/** What the VM's view shows for one integration service. */
public sealed interface IcStatus {

    /** The guest has not (yet) answered this service since its channel opened. */
    record NoContact() implements IcStatus {
    }

    /** The guest answers correctly. */
    record Ok() implements IcStatus {
    }

    /** The guest answered before and has since missed its deadlines. */
    record LostCommunication() implements IcStatus {
    }

    /** The guest sent something malformed or unexpected on this service's channel; sticky until it reopens. */
    record Degraded(String reason) implements IcStatus {
    }

    /** The host switched the service off: it is not offered. */
    record Disabled() implements IcStatus {
    }

    IcStatus NO_CONTACT = new NoContact();
    IcStatus OK = new Ok();
    IcStatus LOST_COMMUNICATION = new LostCommunication();
    IcStatus DISABLED = new Disabled();
}
