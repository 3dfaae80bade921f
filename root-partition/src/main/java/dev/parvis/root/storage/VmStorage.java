package dev.parvis.root.storage;

import dev.parvis.devices.storvsp.StorVsp;
import dev.parvis.devices.storvsp.VhdxBackingDisk;
import dev.parvis.devices.storvsp.scsi.BackingDisk;
import dev.parvis.devices.vhdx.OpenOptions;
import dev.parvis.devices.vhdx.VhdxDisk;
import dev.parvis.vmbus.device.VmbusDeviceClass;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The storage of one running VM: its synthetic SCSI controllers and the VHDX files open behind
 * them. Opened when the VM starts (every disk or none: a disk that fails to open closes the ones
 * before it), closed when it stops or saves. Disks can be attached and detached while it runs.
 */
public final class VmStorage implements AutoCloseable {
    private final Map<Integer, StorVsp> controllers = new TreeMap<>();
    /** Set once the controllers are offered: a VMBus offer cannot be added to a running VM here. */
    private boolean offered;

    private VmStorage() {
    }

    /**
     * Opens every disk of {@code disks} (a controller exists for every index named, and controller 0
     * always, so disks can be hot-added to a VM that started with none).
     *
     * @throws IOException naming the disk that failed and why; nothing stays open
     */
    public static VmStorage open(List<DiskAttachment> disks) throws IOException {
        VmStorage storage = new VmStorage();
        storage.controller(0);
        try {
            for (DiskAttachment d : disks) {
                storage.attach(d);
            }
        } catch (IOException | RuntimeException e) {
            storage.close();
            throw e;
        }
        return storage;
    }

    private synchronized StorVsp controller(int index) {
        StorVsp c = controllers.get(index);
        if (c == null && offered) {
            throw new IllegalArgumentException("controller " + index + " was not offered when the VM started");
        }
        return c != null ? c : controllers.computeIfAbsent(index, i -> new StorVsp(StorVsp.controllerInstance(i)));
    }

    /** The controllers to offer on VMBus, in controller order; no controller can be added after this. */
    public synchronized List<VmbusDeviceClass> devices() {
        offered = true;
        return List.copyOf(controllers.values());
    }

    /** Opens {@code disk} and puts it on its LUN; a running guest sees the change. */
    public void attach(DiskAttachment disk) throws IOException {
        VhdxDisk opened;
        try {
            opened = VhdxDisk.open(disk.path(), OpenOptions.readWrite().withWritable(!disk.readOnly()));
        } catch (IOException e) {
            String why = e instanceof java.nio.file.NoSuchFileException ? "no such file"
                    : e instanceof java.nio.file.AccessDeniedException ? "access denied" : e.getMessage();
            throw new IOException("disk " + disk.path() + " (controller " + disk.controller() + ", LUN " + disk.lun()
                    + "): " + why, e);
        }
        try {
            controller(disk.controller()).attach(disk.lun(), new VhdxBackingDisk(opened, disk.readOnly()));
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    /** Removes the disk on {@code controller}/{@code lun} once its requests finish, and closes it; false if none. */
    public boolean detach(int controller, int lun) throws IOException {
        StorVsp c;
        synchronized (this) {
            c = controllers.get(controller);
        }
        if (c == null) {
            return false;
        }
        var gone = c.detach(lun);
        if (gone.isPresent()) {
            closeDisk(gone.get());
        }
        return gone.isPresent();
    }

    /**
     * Before the suspended VM's VMBus state and RAM are saved: every request the disks hold completes
     * into the guest's ring, and later ones complete within the channel turn that reads them.
     *
     * @throws IOException when requests were still in flight after {@code timeout}
     */
    public void quiesce(java.time.Duration timeout) throws IOException, InterruptedException {
        for (StorVsp c : controllers()) {
            if (!c.quiesce(timeout)) {
                throw new IOException("disk requests of controller " + c.instance()
                        + " still in flight after " + timeout.toSeconds() + " s (the guest does not read its ring)");
            }
        }
    }

    /** Ends {@link #quiesce}: the save did not happen and the VM runs on. */
    public void unquiesce() {
        controllers().forEach(StorVsp::unquiesce);
    }

    /** Every open storvsc channel's initialization state, for a save (after {@link #quiesce}). */
    public synchronized List<DiskChannelState> saveChannels() {
        List<DiskChannelState> out = new ArrayList<>();
        controllers.forEach((index, c) -> c.saveChannels().forEach(ch -> out.add(new DiskChannelState(index, ch))));
        return out;
    }

    /**
     * Before the restored VM's VMBus channels re-open: each saved channel resumes its initialization
     * state on its controller.
     *
     * @throws IllegalArgumentException when the saved state names a controller this VM does not have
     */
    public synchronized void restoreChannels(List<DiskChannelState> saved) {
        for (DiskChannelState s : saved) {
            StorVsp c = controllers.get(s.controller());
            if (c == null) {
                throw new IllegalArgumentException("the saved state has a channel of SCSI controller " + s.controller()
                        + ", which the VM's disks no longer name");
            }
            c.restoreChannels(List.of(s.channel()));
        }
    }

    private synchronized List<StorVsp> controllers() {
        return new ArrayList<>(controllers.values());
    }

    /** Waits for every disk's requests, then flushes and closes the files. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (StorVsp c : controllers()) {
            for (BackingDisk d : c.detachAll()) {
                try {
                    closeDisk(d);
                } catch (IOException | UncheckedIOException e) {
                    IOException io = e instanceof IOException i ? i : ((UncheckedIOException) e).getCause();
                    if (first == null) {
                        first = io;
                    } else {
                        first.addSuppressed(io);
                    }
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static void closeDisk(BackingDisk disk) throws IOException {
        if (disk instanceof VhdxBackingDisk v) {
            v.disk().close();
        }
    }
}
