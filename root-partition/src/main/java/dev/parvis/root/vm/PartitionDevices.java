package dev.parvis.root.vm;

import dev.parvis.abi.hv.HvRegisterName;
import dev.parvis.devices.ic.IntegrationServices;
import dev.parvis.root.config.DeviceConfig;
import dev.parvis.root.config.VmConfig;
import dev.parvis.root.storage.DiskAttachment;
import dev.parvis.root.storage.VmStorage;
import dev.parvis.vmbus.device.EchoDevice;
import dev.parvis.vmbus.device.VmbusDeviceClass;
import dev.parvis.vmcore.RootHypercalls;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VMBus devices of one VM's running partition, built from its configuration when the partition
 * is prepared and closed when it goes: echo devices, integration services and the disks behind
 * their SCSI controllers. Changed only on the VM's worker thread; read by metrics and management
 * from others (hence volatile fields and a copy-on-write echo list).
 */
final class PartitionDevices {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionDevices.class);

    /** How long a save waits for the disk requests in flight to complete into the guest's rings. */
    static final Duration SAVE_DRAIN_TIMEOUT = Duration.ofSeconds(10);

    private final RootHypercalls hc;
    private final Supplier<String> vmName;
    private final List<EchoDevice> echoes = new CopyOnWriteArrayList<>();
    /** The running partition's disks and SCSI controllers (null without disks or when no partition exists). */
    private volatile VmStorage storage;
    /** The running partition's integration services (null without the device or when no partition exists). */
    private volatile IntegrationServices ics;

    PartitionDevices(RootHypercalls hc, Supplier<String> vmName) {
        this.hc = hc;
        this.vmName = vmName;
    }

    Optional<IntegrationServices> integrationServices() {
        return Optional.ofNullable(ics);
    }

    /** The running partition's storage, when it has any. */
    Optional<VmStorage> storage() {
        return Optional.ofNullable(storage);
    }

    /** Bytes the echo devices of the running partition received and sent. */
    long echoBytesIn() {
        return echoes.stream().mapToLong(e -> e.counters().bytesIn()).sum();
    }

    long echoBytesOut() {
        return echoes.stream().mapToLong(e -> e.counters().bytesOut()).sum();
    }

    /** Builds the devices {@code c} names for partition {@code pid} (what an earlier partition had is closed first). */
    List<VmbusDeviceClass> build(long pid, VmConfig c) {
        echoes.clear();
        close();
        List<VmbusDeviceClass> devices = new ArrayList<>();
        for (DeviceConfig d : c.devices()) {
            switch (d) {
                case DeviceConfig.EchoDevice e -> {
                    EchoDevice echo = new EchoDevice();
                    echoes.add(echo);
                    devices.add(echo);
                }
                case DeviceConfig.IntegrationServices is -> devices.addAll(integrationServices(pid, is));
                case DeviceConfig.Disk disk -> {
                    // all disks at once, below
                }
                case DeviceConfig.NetworkAdapter nic -> LOG.info("VM '{}': network adapter on '{}' not attached (no network device yet)",
                        c.name(), nic.switchName());
            }
        }
        devices.addAll(openStorage(c));
        return devices;
    }

    private List<VmbusDeviceClass> integrationServices(long pid, DeviceConfig.IntegrationServices is) {
        IntegrationServices services = new IntegrationServices(() -> hc.getVpRegister(pid, 0, HvRegisterName.TIME_REF_COUNT));
        services.heartbeat().setEnabled(is.heartbeat());
        services.shutdown().setEnabled(is.shutdown());
        services.timeSync().setEnabled(is.timeSync());
        services.kvp().setEnabled(is.kvp());
        services.fileCopy().setEnabled(is.fileCopy());
        ics = services;
        return services.offered();
    }

    /**
     * Opens every disk of the config (or none) and returns its SCSI controllers to offer: controller
     * 0 always, as Hyper-V gives every (generation 2) VM one, so a disk can be hot-added to a VM that
     * started without any.
     */
    private List<VmbusDeviceClass> openStorage(VmConfig c) {
        List<DiskAttachment> disks;
        try {
            disks = DiskAttachment.of(c.devices());
        } catch (IllegalArgumentException e) {
            throw new VmException("VM '%s': %s".formatted(c.name(), e.getMessage()), e);
        }
        try {
            storage = VmStorage.open(disks);
        } catch (IOException | IllegalArgumentException e) {
            throw new VmException("VM '%s' cannot open its disks: %s".formatted(c.name(), e.getMessage()), e);
        }
        return storage.devices();
    }

    /** Disk requests in flight complete into the guest's rings before the rings and RAM are saved. */
    void quiesceStorage() throws IOException {
        VmStorage s = storage;
        if (s != null) {
            try {
                s.quiesce(SAVE_DRAIN_TIMEOUT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while disk requests drained", e);
            }
        }
    }

    /** Ends {@link #quiesceStorage}: the save failed and the VM runs on. */
    void unquiesceStorage() {
        VmStorage s = storage;
        if (s != null) {
            s.unquiesce();
        }
    }

    /** Forgets the echo devices of a partition that is gone (their counters were taken first). */
    void forgetEchoes() {
        echoes.clear();
    }

    /** Closes the integration services, then the disks once their requests finished (the partition is gone or going). */
    void close() {
        closeIntegrationServices();
        closeStorage();
    }

    private void closeIntegrationServices() {
        IntegrationServices services = ics;
        ics = null;
        if (services != null) {
            try {
                services.close();
            } catch (RuntimeException e) {
                LOG.warn("VM '{}': closing its integration services: {}", vmName.get(), e.getMessage());
            }
        }
    }

    private void closeStorage() {
        VmStorage s = storage;
        storage = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("VM '{}': closing its disks: {}", vmName.get(), e.getMessage());
            }
        }
    }
}
