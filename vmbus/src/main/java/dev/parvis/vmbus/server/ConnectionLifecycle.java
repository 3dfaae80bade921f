package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.AllOffersDelivered;
import dev.parvis.abi.vmbus.InitiateContact;
import dev.parvis.abi.vmbus.UnloadResponse;
import dev.parvis.abi.vmbus.VersionResponse;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.abi.vmbus.VmbusVersion;
import dev.parvis.vmbus.device.VmbusDeviceClass;
import dev.parvis.vmbus.server.ConnectionState.Connected;
import dev.parvis.vmbus.server.ConnectionState.Disconnected;

/**
 * The connection's own lifecycle (hyperv-abi-vmbus.md section 6.1): INITIATE_CONTACT negotiates the
 * version and fixes where the server's messages go, REQUEST_OFFERS offers every device once, UNLOAD
 * closes every channel and ends the connection. Runs under the server's monitor, on its state.
 */
final class ConnectionLifecycle {
    private final VmbusServer server;

    ConnectionLifecycle(VmbusServer server) {
        this.server = server;
    }

    /**
     * INITIATE_CONTACT: the guest's target VP (target_vcpu, from 2.4... honoured from WIN8_1) and, from
     * 5.0, its message SINT are where every later message goes; a VP the child does not have or a
     * SINT beyond 15 is refused with VERSION_RESPONSE(version_supported = 0).
     */
    void onInitiateContact(InitiateContact c) {
        VmbusVersion version = c.versionRequested();
        boolean modern = version.isAtLeast(VmbusVersion.WIN10_V5);
        int sint = modern ? c.messageSint() & 0xFF : VmbusConstants.MESSAGE_SINT;
        int vp = version.isAtLeast(VmbusVersion.WIN8_1) ? c.targetVcpu() : 0;
        boolean targetValid = vp >= 0 && vp < server.config().vpCount() && sint < VmbusServer.SINT_COUNT;
        GuestTarget target = targetValid ? new GuestTarget(vp, sint) : new GuestTarget(0, VmbusConstants.MESSAGE_SINT);
        if (server.connection() instanceof Connected) {
            server.errors().report("INITIATE_CONTACT for " + version + " refused: already connected (UNLOAD first)");
            server.sendTo(VersionResponse.unsupported(), target);
            return;
        }
        if (!VmbusServer.SUPPORTED_VERSIONS.contains(version) || !targetValid) {
            if (!targetValid) {
                server.errors().report("INITIATE_CONTACT refused: target VP " + Integer.toUnsignedString(vp) + ", SINT " + sint);
            }
            server.sendTo(VersionResponse.unsupported(), target);
            return;
        }
        server.connection(new Connected(version, target, false));
        server.send(VersionResponse.supported(modern ? VmbusServer.MESSAGE_CONNECTION_ID : 0));
    }

    void onRequestOffers() {
        if (!(server.connection() instanceof Connected c)) {
            server.errors().report("REQUEST_OFFERS refused: no connection");
            return;
        }
        if (c.offersSent()) {
            server.errors().report("second REQUEST_OFFERS ignored");
            return;
        }
        server.connection(c.withOffersSent());
        for (VmbusDeviceClass device : server.devices()) {
            if (!(server.connection() instanceof Connected)) {
                return; // an offer overflowed the guest's queue: the failure released what was offered
            }
            server.channels().offer(device);
        }
        server.send(new AllOffersDelivered());
    }

    void onUnload() {
        if (!(server.connection() instanceof Connected c)) {
            server.errors().report("UNLOAD without a connection");
            server.sendTo(new UnloadResponse(), new GuestTarget(0, VmbusConstants.MESSAGE_SINT));
            return;
        }
        server.channels().clear("guest unloaded");
        server.connection(new Disconnected());
        server.sendTo(new UnloadResponse(), c.target());
    }
}
