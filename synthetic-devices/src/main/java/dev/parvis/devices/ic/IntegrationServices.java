package dev.parvis.devices.ic;

import dev.parvis.abi.vmbus.Guid;
import dev.parvis.vmbus.device.VmbusDeviceClass;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A VM's five integration services. The VM offers {@link #offered()} (the enabled ones) to its
 * VMBus server and shows {@link #statuses()} in its view.
 */
public final class IntegrationServices implements AutoCloseable {
    private final HeartbeatService heartbeat = new HeartbeatService();
    private final ShutdownService shutdown = new ShutdownService();
    private final TimeSyncService timeSync;
    private final KvpService kvp = new KvpService();
    private final FileCopyService fileCopy = new FileCopyService();

    /** @param referenceTime the partition's reference time (100 ns), e.g. GetVpRegisters TIME_REF_COUNT */
    public IntegrationServices(LongSupplier referenceTime) {
        this.timeSync = new TimeSyncService(referenceTime);
    }

    public HeartbeatService heartbeat() {
        return heartbeat;
    }

    public ShutdownService shutdown() {
        return shutdown;
    }

    public TimeSyncService timeSync() {
        return timeSync;
    }

    public KvpService kvp() {
        return kvp;
    }

    public FileCopyService fileCopy() {
        return fileCopy;
    }

    public List<IcService> all() {
        return List.of(heartbeat, shutdown, timeSync, kvp, fileCopy);
    }

    /** The enabled services, to register with the VMBus server. */
    public List<VmbusDeviceClass> offered() {
        return all().stream().filter(IcService::isEnabled).map(s -> (VmbusDeviceClass) s).toList();
    }

    /** Service name to status, in a fixed order. */
    public Map<String, IcStatus> statuses() {
        Map<String, IcStatus> out = new LinkedHashMap<>();
        all().forEach(s -> out.put(s.name(), s.status()));
        return out;
    }

    /** Each service whose open channel has negotiated, by interface type, with its versions: what a save keeps. */
    public Map<Guid, IcVersions.Negotiated> negotiated() {
        Map<Guid, IcVersions.Negotiated> out = new LinkedHashMap<>();
        for (IcService s : all()) {
            IcVersions.Negotiated v = s.negotiatedVersions();
            if (v != null) {
                out.put(s.interfaceType(), v);
            }
        }
        return out;
    }

    /**
     * The versions a restored VM's services had negotiated (see {@link IcService#restoreNegotiated}).
     *
     * @throws IllegalArgumentException naming a service this VM does not have, or versions it does not offer
     */
    public void restoreNegotiated(Map<Guid, IcVersions.Negotiated> saved) {
        saved.forEach((type, versions) -> all().stream().filter(s -> s.interfaceType().equals(type)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no integration service " + type))
                .restoreNegotiated(versions));
    }

    @Override
    public void close() {
        all().forEach(IcService::close);
    }
}
