package dev.parvis.root.vm;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.root.config.VmConfig;
import dev.parvis.vmbus.device.VmbusDeviceClass;
import dev.parvis.vmbus.server.VmbusServer;
import dev.parvis.vmbus.server.VmbusServerState;
import java.util.List;
import java.util.function.Consumer;

/**
 * What a VM's partition is wired to around its guest: the router's routes for its intercepts and
 * its messages to the root, its CPU controls, its devices and their VMBus attachment (rebuilt from
 * the saved state on a restore), and the undoing of all of it. Used on the VM's worker thread only.
 */
final class PartitionWiring {
    private final VmEnvironment env;
    private final PartitionDevices devices;
    /** The partition {@link #wire} wired and nothing has unwired yet, or -1. */
    private long wired = -1;

    PartitionWiring(VmEnvironment env, PartitionDevices devices) {
        this.env = env;
        this.devices = devices;
    }

    /**
     * Wires partition {@code pid} before its first instruction; {@code vpSetup} runs once its routes
     * exist (a restore's VP state). On restore, {@code saved} (else null) holds the VMBus server state,
     * rebuilt on the new attachment, and the state its disks' channels resume in. A failure undoes
     * what was wired and is rethrown.
     */
    void wire(long pid, VmConfig c, int vps, Runnable vpSetup, SavedState saved,
              Consumer<HvMessage> onIntercept, Consumer<HvMessage> onMessage) {
        VmbusServerState vmbus = saved == null ? null : saved.vmbus();
        env.router().register(pid, onIntercept, onMessage);
        try {
            vpSetup.run();
            env.controls().applyCpu(pid, c.cpu());
            List<VmbusDeviceClass> offered = devices.build(pid, c);
            if (saved != null && !saved.icVersions().isEmpty()) {
                devices.integrationServices().orElseThrow(() -> new VmException("the saved state has integration services but the VM has none"))
                        .restoreNegotiated(SavedIcVersions.toMap(saved.icVersions()));
            }
            if (saved != null && !saved.diskChannels().isEmpty()) {
                devices.storage().orElseThrow(() -> new VmException("the saved state has disk channels but the VM has no disks"))
                        .restoreChannels(saved.diskChannels());
            }
            if (!offered.isEmpty()) {
                VmbusServer server = env.vmbus().attach(pid, vps, offered);
                if (vmbus != null) {
                    server.restore(vmbus);
                }
            } else if (vmbus != null && vmbus.connected()) {
                throw new VmException("the saved state has a VMBus connection but the VM has no VMBus devices");
            }
            wired = pid;
        } catch (RuntimeException e) {
            unwire(pid);
            throw e;
        }
    }

    /** Undoes {@link #wire} for a partition that never ran a guest instruction. */
    void unwire(long pid) {
        wired = -1;
        env.router().unregister(pid);
        env.vmbus().detach(pid);
        devices.close();
    }

    /**
     * Undoes {@link #wire} if a start wired a partition and then failed without undoing it (the
     * partition could not be finalized): its routes, its VMBus attachment and its open disks go.
     */
    void unwireIfWired() {
        if (wired != -1) {
            unwire(wired);
        }
    }

    /**
     * Undoes {@link #wire} for a partition that ran: what its guest posted to the root before it
     * stopped is handed over first (its power-off may have overtaken its last report).
     */
    void unwireAfterRun(long pid) {
        env.router().awaitLastMessages(pid);
        unwire(pid);
    }
}
