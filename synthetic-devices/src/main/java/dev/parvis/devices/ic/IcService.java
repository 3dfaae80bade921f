package dev.parvis.devices.ic;

import dev.parvis.abi.ic.IcMessageType;
import dev.parvis.abi.vmbus.Guid;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.vmbus.device.ChannelHandler;
import dev.parvis.vmbus.device.VmbusChannel;
import dev.parvis.vmbus.device.VmbusDeviceClass;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every integration service shares: the pipe-mode offer, enable/disable, one {@link IcChannel}
 * at a time, negotiation on open (on the service's own thread, never the server's) and the status
 * the VM's view shows. Subclasses add their requests and their own notion of contact.
 */
public abstract class IcService implements VmbusDeviceClass, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IcService.class);
    /** How long a request waits for the guest by default. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    private static final byte[] PIPE_MODE_MESSAGE = {VmbusConstants.PIPE_TYPE_MESSAGE, 0, 0, 0};

    private final String name;
    private final Guid interfaceType;
    private final Guid instance;
    private final IcMessageType messageType;
    private final IcVersions versions;
    protected final ScheduledExecutorService executor;
    private volatile boolean enabled = true;
    private volatile IcChannel current;
    private volatile String degradedReason;
    /** Versions a restored VM's channel already uses; the next open adopts them (see {@link #restoreNegotiated}). */
    private volatile IcVersions.Negotiated restored;

    protected IcService(String name, Guid interfaceType, Guid instance, IcMessageType messageType, IcVersions versions) {
        this.name = name;
        this.interfaceType = interfaceType;
        this.instance = instance;
        this.messageType = messageType;
        this.versions = versions;
        this.executor = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("ic-" + name).factory());
    }

    public String name() {
        return name;
    }

    @Override
    public Guid interfaceType() {
        return interfaceType;
    }

    @Override
    public Guid instance() {
        return instance;
    }

    @Override
    public short offerFlags() {
        return (short) (VmbusConstants.OFFER_FLAG_ENUMERATE_DEVICE_INTERFACE | VmbusConstants.OFFER_FLAG_NAMED_PIPE_MODE);
    }

    /** Pipe mode 4 (message) in the first u32 of the user-defined area. */
    @Override
    public byte[] userDefined() {
        return PIPE_MODE_MESSAGE.clone();
    }

    public boolean isEnabled() {
        return enabled;
    }

    /** A disabled service refuses opens and closes its open channel; the VM does not offer it. */
    public void setEnabled(boolean on) {
        enabled = on;
        IcChannel c = current;
        if (!on && c != null) {
            c.vmbusChannel().close();
        }
    }

    /** The status for the VM's view. */
    public final IcStatus status() {
        if (!enabled) {
            return IcStatus.DISABLED;
        }
        String reason = degradedReason;
        if (reason != null) {
            return new IcStatus.Degraded(reason);
        }
        IcChannel c = current;
        if (c == null || c.negotiated() == null) {
            return IcStatus.NO_CONTACT;
        }
        return contactStatus();
    }

    /** Status once negotiated and not degraded; {@link IcStatus#OK} unless a service knows better. */
    protected IcStatus contactStatus() {
        return IcStatus.OK;
    }

    /** The open, negotiated channel, or null. */
    public IcChannel channel() {
        IcChannel c = current;
        return c != null && c.negotiated() != null && !c.isClosed() ? c : null;
    }

    /** The open, negotiated channel. */
    protected IcChannel requireChannel() throws IcException {
        IcChannel c = channel();
        if (c == null) {
            throw new IcException(name + ": no guest connection");
        }
        return c;
    }

    @Override
    public ChannelHandler open(VmbusChannel channel) {
        if (!enabled) {
            throw new IllegalStateException(name + " is disabled");
        }
        IcChannel c = new IcChannel(channel, messageType, versions, new IcChannel.Listener() {
            @Override
            public void onMalformed(IcChannel source, String reason) {
                if (current == source) {
                    degrade(reason);
                }
            }

            @Override
            public void onClosed(IcChannel source) {
                if (current == source) {
                    channelClosed(channel.relid());
                }
            }
        });
        degradedReason = null;
        current = c;
        IcVersions.Negotiated adopted = restored;
        restored = null;
        if (adopted != null) {
            c.adopt(adopted);
            executor.execute(() -> onNegotiated(c, adopted));
        } else {
            executor.execute(() -> negotiate(c));
        }
        return c;
    }

    /** The versions the open channel negotiated, or null (not open, or not negotiated yet): what a save keeps. */
    public IcVersions.Negotiated negotiatedVersions() {
        IcChannel c = channel();
        return c == null ? null : c.negotiated();
    }

    /**
     * A restored VM's channel of this service negotiated {@code versions} before its save, and the
     * guest, restored with it, still uses them: the channel's next open adopts them instead of
     * negotiating again, so the restore is invisible to the guest (no NEGOTIATE out of the blue) and
     * the service shows OK at once, as before the save.
     *
     * @throws IllegalArgumentException if this host does not offer {@code versions} (a saved state it did not write)
     */
    public void restoreNegotiated(IcVersions.Negotiated versions) {
        if (!this.versions.framework().contains(versions.framework()) || !this.versions.message().contains(versions.message())) {
            throw new IllegalArgumentException(name + ": framework " + versions.framework() + ", message " + versions.message()
                    + " is not a pair this host offers (" + this.versions + ")");
        }
        restored = versions;
    }

    private void negotiate(IcChannel c) {
        try {
            IcVersions.Negotiated v = c.negotiate(DEFAULT_TIMEOUT);
            LOG.debug("{}: negotiated framework {}, {} {}", name, v.framework(), messageType, v.message());
            onNegotiated(c, v);
        } catch (IcException e) {
            if (!c.isClosed()) {
                degrade("negotiation failed: " + e.getMessage());
            }
        } catch (RuntimeException e) {
            if (executor.isShutdown()) {
                return; // the service closed while negotiating
            }
            LOG.error("{}: negotiation", name, e);
            degrade("negotiation failed: " + e);
        }
    }

    /** Runs on the service's thread once the versions are known; start periodic work here. */
    protected abstract void onNegotiated(IcChannel channel, IcVersions.Negotiated versions);

    /** The channel closed; runs on the channel's worker thread. */
    protected void onChannelClosed() {
    }

    private void channelClosed(int relid) {
        LOG.debug("{}: channel {} closed", name, relid);
        onChannelClosed();
    }

    /** Marks the service Degraded; the first reason since the channel opened sticks. */
    protected final void degrade(String reason) {
        if (degradedReason == null) {
            degradedReason = reason;
            LOG.warn("{} degraded: {}", name, reason);
        }
    }

    /** Stops the service's thread; an open channel stays open until the server closes it. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code body} copied into a zeroed buffer of at least {@code size} bytes, for fixed-size reads. */
    protected static java.lang.foreign.MemorySegment padded(byte[] body, int size) {
        return java.lang.foreign.MemorySegment.ofArray(java.util.Arrays.copyOf(body, Math.max(size, body.length)));
    }

    @Override
    public String toString() {
        return name + "[" + status() + "]";
    }
}
