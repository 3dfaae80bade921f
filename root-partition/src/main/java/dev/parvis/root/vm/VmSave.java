package dev.parvis.root.vm;

import dev.parvis.abi.hv.HvRegisterName;
import dev.parvis.root.storage.DiskChannelState;
import dev.parvis.root.storage.VmStorage;
import dev.parvis.vmbus.server.VmbusServer;
import dev.parvis.vmbus.server.VmbusServerState;
import dev.parvis.vmcore.GuestMemoryView;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The save path of one running or paused partition: suspend it and freeze its clock, let its disk
 * requests and VMBus traffic settle, then capture its VPs, SynIC pages, VMBus server and RAM into a
 * saved-state file. On failure {@link #rollBack} lets the VM run on as it was. Runs on the VM's
 * worker thread.
 */
final class VmSave {
    private static final Logger LOG = LoggerFactory.getLogger(VmSave.class);
    private static final long PAGE = 4096;

    private final VmEnvironment env;
    private final PartitionDevices devices;
    private final IntConsumer progress;

    VmSave(VmEnvironment env, PartitionDevices devices, IntConsumer progress) {
        this.env = env;
        this.devices = devices;
        this.progress = progress;
    }

    /**
     * Saves partition {@code pid} of VM {@code id} to {@code file}; the partition stays suspended.
     *
     * @param rights the page rights of its RAM (one per GPN, GPN 0 unused)
     */
    void save(UUID id, String name, long pid, int vpCount, int[] rights, Path file) throws IOException {
        env.controls().suspend(pid);
        progress.accept(10);
        long referenceTime = env.controls().freezeTime(pid);
        devices.quiesceStorage();
        // VMBus first: what the suspended guest posted reaches its server, then the server freezes
        // (it posts and signals nothing more), so the VPs and RAM read next stay as saved.
        env.vmbus().settle();
        VmbusServerState vmbus = env.vmbus().server(pid).map(VmbusServer::snapshot).orElse(null);
        // After the drain no request is with a disk: the rest are answered in the rings or unread in them.
        List<DiskChannelState> disks = devices.storage().map(VmStorage::saveChannels).orElse(List.of());
        // The frozen channels take no answer now: what each service negotiated stays as saved.
        List<SavedIcVersions.Entry> ics = devices.integrationServices()
                .map(s -> SavedIcVersions.ofOpenChannels(s.negotiated(), vmbus)).orElse(List.of());
        List<List<VpRegisters.Value>> vps = new ArrayList<>();
        VpRegisters registers = new VpRegisters(env.hc().gateway());
        for (int vp = 0; vp < vpCount; vp++) {
            vps.add(registers.read(pid, vp, savedRegisters()));
        }
        List<VpSynicPages> synic = new ArrayList<>();
        VpStatePages statePages = new VpStatePages(env.hc(), env.hv().rootMemory());
        for (int vp = 0; vp < vpCount; vp++) {
            synic.add(statePages.read(pid, vp));
        }
        progress.accept(20);
        SavedState saved = new SavedState(id, name, referenceTime, vps, rights, snapshot(pid, rights.length - 1), vmbus, synic, disks,
                ics);
        progress.accept(70);
        SavedStateFile.write(file, saved);
        progress.accept(95);
    }

    private static List<HvRegisterName> savedRegisters() {
        List<HvRegisterName> names = new ArrayList<>(VpRegisters.SAVED);
        names.add(HvRegisterName.EXPLICIT_SUSPEND);
        // Halted (bit 1): a VP saved in HLT stays halted after the restore, no spurious wake-up; and a
        // SynIC wake it had not slept through yet stays pending, no lost one. A VP the guest has not
        // started yet (startup suspend) stays waiting.
        names.add(HvRegisterName.INTERNAL_ACTIVITY_STATE);
        names.add(HvRegisterName.PENDING_INTERRUPTION);
        return names;
    }

    /** Undoes what {@link #save} did before it failed: disks, VMBus, clock and (if it ran) the VPs go on. */
    void rollBack(String name, long pid, boolean wasRunning) {
        devices.unquiesceStorage();
        try {
            env.vmbus().server(pid).ifPresent(VmbusServer::resume);
            env.controls().thawTime(pid);
            if (wasRunning) {
                env.controls().resume(pid);
            }
        } catch (RuntimeException e) {
            LOG.warn("VM '{}': rolling back a failed save: {}", name, e.getMessage());
        }
    }

    /**
     * Every guest page (GPN 1 up), read through a snapshot grant of the suspended partition: the
     * guest's RAM, including what lies under an overlay page (the overlays are saved on their own).
     */
    private byte[] snapshot(long pid, int pages) {
        long[] gpns = new long[pages];
        for (int i = 0; i < pages; i++) {
            gpns[i] = i + 1;
        }
        byte[] memory = new byte[Math.multiplyExact(pages, (int) PAGE)];
        MemorySegment target = MemorySegment.ofArray(memory);
        try (GuestMemoryView view = env.hv().grants().openSnapshot(pid, gpns)) {
            int step = Math.max(1, pages / 10);
            for (int i = 0; i < pages; i++) {
                MemorySegment.copy(view.page(i), 0, target, i * PAGE, PAGE);
                if (i % step == step - 1) {
                    progress.accept(20 + (int) (50L * (i + 1) / pages)); // 20..70: the pages are most of a save
                }
            }
        }
        return memory;
    }
}
