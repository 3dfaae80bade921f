package dev.parvis.e2e.vmbus;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.vmbus.VmbusVersion;
import dev.parvis.e2e.GuestHarness;
import dev.parvis.e2e.OnEachBackend;
import dev.parvis.root.loader.LoadedChild;
import dev.parvis.vmbus.device.EchoDevice;
import dev.parvis.vmbus.host.VmbusHost;
import dev.parvis.vmbus.server.ServerChannel;
import dev.parvis.vmbus.server.VmbusServer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gcc-built vmbus-echo guest against the root's VMBus server: negotiation, offers, a ring GPADL,
 * 10,000 echoed packets of 1..65536 bytes, close, teardown, unload and power-off, checked from both
 * sides.
 */
@OnEachBackend
@Timeout(120)
class VmbusEchoGuestTest {
    private static final long PACKETS = 10_000;
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(90);

    @Test
    void echoGuestNegotiates53RoundTrips10000PacketsIntactAndLeavesNoGpadlOrChannelBehind() throws Exception {
        EchoDevice echo = new EchoDevice();
        AtomicReference<VmbusServer> serverRef = new AtomicReference<>();
        try (VmbusWarnings warnings = new VmbusWarnings();
             GuestHarness h = new GuestHarness();
             VmbusHost vmbus = new VmbusHost(h.hv)) {
            LoadedChild child = h.boot("vmbus-echo", GuestHarness.GUEST_RAM,
                    id -> serverRef.set(vmbus.attach(id, 1, List.of(echo))));
            VmbusServer server = serverRef.get();

            // While the guest is echoing: connected at 5.3, one offer, its channel open on one GPADL.
            h.awaitOutput(child, "vmbus-echo: open relid 1: status 0x0", GuestHarness.TIMEOUT);
            Optional<VmbusVersion> version = server.version();
            List<Integer> relids = server.offeredRelids();
            int gpadlsWhileOpen = server.gpadlCount();
            boolean channelOpen = server.channel(1).map(ServerChannel::isOpen).orElse(false);

            long start = System.nanoTime();
            ByteBuffer report = GuestHarness.le(h.awaitMessage(child, RUN_TIMEOUT));
            long millis = (System.nanoTime() - start) / 1_000_000;
            long sent = report.getLong();
            long received = report.getLong();
            long bytesSent = report.getLong();
            long bytesReceived = report.getLong();
            long mismatches = report.getLong();
            h.awaitPowerOff(child);

            String out = h.output(child);
            EchoDevice.Counters root = echo.counters();
            System.out.printf("vmbus-echo: %d/%d packets, %d/%d bytes, %d mismatches (%d ms after open); "
                            + "root echo device: %s%n", sent, received, bytesSent, bytesReceived, mismatches, millis, root);
            assertAll(
                    () -> assertTrue(out.contains("connect: status 0x0, version 0x50003"), () -> "negotiated 5.3\n" + h.describe(child)),
                    () -> assertEquals(Optional.of(VmbusVersion.WIN10_V5_3), version, "the server's agreed version"),
                    () -> assertTrue(out.contains("vmbus-echo: 1 offers"), "the guest saw exactly one offer\n" + out),
                    () -> assertTrue(out.contains("type " + "7a0c6d1e"), "the offer is the echo device class\n" + out),
                    () -> assertEquals(List.of(1), relids, "the server offered relid 1 only"),
                    () -> assertEquals(1, gpadlsWhileOpen, "GPADLs while the channel is open (the ring)"),
                    () -> assertTrue(channelOpen, "channel 1 open on the server while the guest echoes"),
                    () -> assertEquals(PACKETS, sent, "packets the guest sent"),
                    () -> assertEquals(PACKETS, received, "packets the guest received"),
                    () -> assertEquals(0, mismatches, "mismatched or missing echoes\n" + out),
                    () -> assertEquals(bytesSent, bytesReceived, "bytes each way (guest)"),
                    () -> assertEquals(PACKETS, root.packetsIn(), "packets into the root's echo device"),
                    () -> assertEquals(PACKETS, root.packetsOut(), "packets echoed by the root"),
                    () -> assertEquals(root.bytesIn(), root.bytesOut(), "root bytes in == out"),
                    () -> assertTrue(root.bytesIn() >= bytesSent && root.bytesIn() - bytesSent <= 7 * PACKETS,
                            "root counts 8-byte-padded payloads: %d root vs %d guest".formatted(root.bytesIn(), bytesSent)),
                    () -> assertEquals(0, root.dropped(), "echoes the root could not send"),
                    () -> assertEquals(0, root.ignored(), "non-in-band packets"),
                    () -> assertTrue(out.contains("channel closed, GPADL 0x") && out.contains("torn down (status 0x0)"),
                            "close and teardown succeeded\n" + out),
                    () -> assertTrue(out.contains("unload: status 0x0"), "unload succeeded\n" + out),
                    () -> assertTrue(out.contains("verdict PASS"), "the guest's verdict\n" + out),
                    () -> assertEquals(0, server.gpadlCount(), "GPADLs left on the server"),
                    () -> assertEquals(Optional.empty(), server.channel(1), "open channel left on the server"),
                    () -> assertEquals(Optional.empty(), server.version(), "the guest unloaded: no connection"),
                    () -> assertEquals(List.of(), server.offeredRelids(), "offers after unload"),
                    () -> assertEquals(0, server.guestErrorCount(), "guest errors in a clean run"),
                    () -> assertEquals(List.of(), warnings.all(), "VMBus warnings in a clean run"));
        }
    }
}
