package dev.parvis.root.vm;

import dev.parvis.root.config.VmConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The restore path's own steps: read and check a VM's saved-state file against its configuration,
 * put the saved VPs and their SynIC pages back into the new partition and continue its clock, and
 * remove the file once the VM runs. Runs on the VM's worker thread.
 */
final class VmRestore {
    private static final Logger LOG = LoggerFactory.getLogger(VmRestore.class);

    private final VmEnvironment env;

    VmRestore(VmEnvironment env) {
        this.env = env;
    }

    /**
     * The saved state of VM {@code id} with configuration {@code c}.
     *
     * @throws SavedStateException naming the VM and why the file cannot be restored
     */
    SavedState read(UUID id, VmConfig c) {
        Path file = env.store().savedStatePath(id);
        SavedState saved;
        try {
            saved = SavedStateFile.read(file, SavedStateFile.Expected.of(c));
        } catch (SavedStateException e) {
            throw new SavedStateException("VM '%s' cannot be restored: %s".formatted(c.name(), e.getMessage()));
        }
        if (!saved.vmId().equals(id)) {
            throw new SavedStateException("%s belongs to VM %s, not %s".formatted(file, saved.vmId(), id));
        }
        return saved;
    }

    /**
     * Every VP's saved registers (architectural and synthetic) and its SIM and SIEF pages (the overlay
     * pages the SIMP and SIEFP registers place), then the guest's clock from where it stopped.
     */
    void restoreVps(long pid, SavedState saved) {
        VpRegisters registers = new VpRegisters(env.hc().gateway());
        VpStatePages statePages = new VpStatePages(env.hc(), env.hv().rootMemory());
        for (int vp = 0; vp < saved.vpCount(); vp++) {
            registers.write(pid, vp, saved.vps().get(vp));
            statePages.write(pid, vp, saved.synicPages(vp));
        }
        env.controls().continueTime(pid, saved.referenceTime());
    }

    /** The VM runs from its restored state: its saved state is spent. */
    void deleteSavedState(UUID id, String name) {
        Path file = env.store().savedStatePath(id);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("VM '{}': restored, but its saved state {} could not be deleted: {}", name, file, e.getMessage());
        }
    }
}
