package dev.parvis.devices.ic;

import dev.parvis.abi.ic.IcConstants;
import dev.parvis.abi.ic.IcMessageHeader;
import dev.parvis.abi.ic.IcMessageType;
import dev.parvis.abi.ic.IcNegotiate;
import dev.parvis.abi.ic.IcVersion;
import dev.parvis.abi.vmbus.PipeHeader;
import dev.parvis.vmbus.client.ClientChannel;
import dev.parvis.vmbus.client.VmbusClientException;
import dev.parvis.vmbus.ring.IncomingPacket;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A Java stand-in for a guest IC daemon on one channel: answers NEGOTIATE as Linux
 * {@code vmbus_prep_negotiate_resp} does, hands every other request to a {@link Handler} that edits
 * the body in place and returns the status, and sends the buffer back with flags TRANSACTION|RESPONSE
 * and the same transaction id.
 */
final class GuestResponder implements AutoCloseable {

    /** Edits {@code body} (messageSize bytes, writable) in place and returns the status to answer with. */
    interface Handler {
        int answer(IcMessageHeader header, MemorySegment body);
    }

    static final List<IcVersion> LINUX_FRAMEWORK = List.of(IcVersion.of(3, 0), IcVersion.of(1, 0));

    private final ClientChannel channel;
    private final List<IcVersion> framework;
    private final List<IcVersion> message;
    private final Handler handler;
    private final Thread thread;
    private final List<IcMessageHeader> requests = new CopyOnWriteArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean answering = true;
    private volatile boolean running = true;
    volatile IcVersion chosenFramework;
    volatile IcVersion chosenMessage;
    /** When set, the NEGOTIATE answer carries this message version whatever the host offered. */
    private final IcVersion forcedMessageVersion;

    GuestResponder(ClientChannel channel, List<IcVersion> framework, List<IcVersion> message, Handler handler) {
        this(channel, framework, message, handler, null);
    }

    GuestResponder(ClientChannel channel, List<IcVersion> framework, List<IcVersion> message, Handler handler,
                   IcVersion forcedMessageVersion) {
        this.forcedMessageVersion = forcedMessageVersion;
        this.channel = channel;
        this.framework = framework;
        this.message = message;
        this.handler = handler;
        this.thread = Thread.ofPlatform().daemon().name("guest-ic-" + channel.relid()).start(this::run);
    }

    /** Keeps reading requests but answers none (a hung guest daemon). */
    void stopAnswering() {
        answering = false;
    }

    List<IcMessageHeader> requests() {
        return requests;
    }

    List<IcMessageHeader> requests(IcMessageType type) {
        return requests.stream().filter(h -> h.type().equals(type)).toList();
    }

    Throwable failure() {
        return failure.get();
    }

    private void run() {
        MemorySegment buffer = MemorySegment.ofArray(new byte[64 * 1024]);
        try {
            while (running) {
                IncomingPacket p = channel.receive(buffer);
                if (p != null && answering) {
                    answer(p);
                }
            }
        } catch (VmbusClientException e) {
            // channel closed
        } catch (Throwable t) {
            failure.set(t);
        }
    }

    private void answer(IncomingPacket p) throws VmbusClientException {
        PipeHeader pipe = PipeHeader.read(p.payload());
        byte[] copy = p.payload().asSlice(0, PipeHeader.SIZE + pipe.length()).toArray(ValueLayout.JAVA_BYTE);
        MemorySegment msg = MemorySegment.ofArray(copy);
        MemorySegment hs = msg.asSlice(IcConstants.HEADER_OFFSET, IcMessageHeader.SIZE);
        IcMessageHeader h = IcMessageHeader.read(hs);
        requests.add(h);
        MemorySegment body = msg.asSlice(PipeHeader.SIZE + IcMessageHeader.SIZE);
        int size = h.messageSize();
        int status;
        if (h.type().equals(IcMessageType.NEGOTIATE)) {
            size = negotiate(body);
            status = IcConstants.S_OK;
        } else {
            status = handler.answer(h, body.asSlice(0, h.messageSize()));
        }
        new IcMessageHeader(h.framework(), h.type(), h.messageVersion(), size, status, h.transactionId(),
                (byte) (IcConstants.FLAG_TRANSACTION | IcConstants.FLAG_RESPONSE)).write(hs);
        channel.sendInband(p.transactionId(), msg, false);
    }

    /** Linux vmbus_prep_negotiate_resp: the first of our versions the host lists, per kind; size 0x10. */
    private int negotiate(MemorySegment body) {
        IcNegotiate n = IcNegotiate.read(body);
        IcVersion fw = pick(framework, n.frameworkVersions(body));
        IcVersion srv = pick(message, n.messageVersions(body));
        if (forcedMessageVersion != null) {
            srv = forcedMessageVersion;
        }
        if (fw == null || srv == null) {
            new IcNegotiate(0, 0).write(body);
        } else {
            new IcNegotiate(1, 1).write(body);
            fw.write(body.asSlice(IcNegotiate.SIZE));
            srv.write(body.asSlice(IcNegotiate.SIZE + IcVersion.SIZE));
            chosenFramework = fw;
            chosenMessage = srv;
        }
        return 0x10;
    }

    private static IcVersion pick(List<IcVersion> ours, List<IcVersion> hosts) {
        return ours.stream().filter(hosts::contains).findFirst().orElse(null);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        // Wakes a receive waiting for a packet (up to the client's timeout, 2 s): it ends with "interrupted".
        thread.interrupt();
        thread.join(15_000);
    }
}
