package dev.parvis.devices.ic;

import dev.parvis.abi.ic.IcVersion;
import dev.parvis.abi.vmbus.Guid;
import dev.parvis.abi.vmbus.OfferChannel;
import dev.parvis.vmbus.client.ClientChannel;
import dev.parvis.vmbus.client.VmbusClient;
import dev.parvis.vmbus.loopback.Loopback;
import dev.parvis.vmbus.loopback.LoopbackGuestMemory;
import dev.parvis.vmbus.server.ServerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** A loopback VMBus with the given IC services offered and a connected Java guest. */
final class IcFixture implements AutoCloseable {
    final LoopbackGuestMemory memory = new LoopbackGuestMemory(3);
    final List<IcService> services;
    final Loopback loopback;
    final VmbusClient client;
    final List<OfferChannel> offers;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    IcFixture(IcService... services) throws Exception {
        this.services = List.of(services);
        loopback = new Loopback(memory, ServerConfig.defaults(1),
                this.services.stream().filter(IcService::isEnabled).toList(), Duration.ofSeconds(2));
        client = loopback.client();
        client.connect();
        offers = client.requestOffers();
    }

    OfferChannel offer(Guid interfaceType) {
        return offers.stream().filter(o -> o.interfaceType().equals(interfaceType)).findFirst()
                .orElseThrow(() -> new AssertionError("no offer of " + interfaceType));
    }

    ClientChannel open(Guid interfaceType) throws Exception {
        return client.open(offer(interfaceType), 9, 9);
    }

    /** Opens the service's channel and starts a guest that answers with {@code handler}. */
    GuestResponder guest(IcService service, List<IcVersion> messageVersions, GuestResponder.Handler handler)
            throws Exception {
        GuestResponder r = new GuestResponder(open(service.interfaceType()), GuestResponder.LINUX_FRAMEWORK,
                messageVersions, handler);
        toClose.add(r);
        return r;
    }

    static void waitFor(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + limit.toMillis() + " ms waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    static void waitForNegotiation(IcService service) throws InterruptedException {
        waitFor(service.name() + " negotiation", Duration.ofSeconds(5),
                () -> service.channel() != null || service.status() instanceof IcStatus.Degraded);
    }

    @Override
    public void close() throws Exception {
        services.forEach(IcService::close);
        loopback.close();
        for (AutoCloseable c : toClose) {
            c.close();
        }
        memory.close();
    }
}
