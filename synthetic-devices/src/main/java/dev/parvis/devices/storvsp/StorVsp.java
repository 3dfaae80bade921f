package dev.parvis.devices.storvsp;

import dev.parvis.abi.vmbus.DeviceClass;
import dev.parvis.abi.vmbus.Guid;
import dev.parvis.devices.storvsp.scsi.BackingDisk;
import dev.parvis.devices.storvsp.scsi.LogicalUnit;
import dev.parvis.devices.storvsp.scsi.Sense;
import dev.parvis.vmbus.device.ChannelHandler;
import dev.parvis.vmbus.device.VmbusChannel;
import dev.parvis.vmbus.device.VmbusDeviceClass;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One synthetic SCSI controller (interface {@code DeviceClass.SCSI}, HV_SCSI_GUID): a VMBus offer
 * whose logical units are virtual disks, on target 0 of path 0. Disks may be attached and detached
 * while the guest runs; the guest then sees a unit attention (REPORTED LUNS DATA HAS CHANGED) on the
 * units it already knows and an ENUMERATE_BUS packet, as Hyper-V sends.
 */
public final class StorVsp implements VmbusDeviceClass {
    /** Linux's storvsc limit: 255 LUNs per target. */
    public static final int MAX_LUNS = 255;
    /** The largest transfer one SRB may carry (the QUERY_PROPERTIES max_transfer_bytes). */
    public static final int MAX_TRANSFER_BYTES = 2 << 20;
    /** Requests one channel may have in flight; beyond it a request is answered BUSY at once. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 256;

    private final Guid instance;
    private final int maxInFlight;
    private final Map<Integer, Attached> luns = new ConcurrentHashMap<>();
    private final Set<StorChannel> channels = ConcurrentHashMap.newKeySet();
    /** Saved channels of a VM being restored, by relid, until the server re-opens them. */
    private final java.util.Map<Integer, SavedChannel> restoring = new ConcurrentHashMap<>();
    private volatile boolean quiescing;

    /** A disk on a LUN: its SCSI unit and its threads. */
    record Attached(LogicalUnit unit, DiskQueue queue) {}

    public StorVsp(Guid instance) {
        this(instance, DEFAULT_MAX_IN_FLIGHT);
    }

    public StorVsp(Guid instance, int maxInFlightPerChannel) {
        this.instance = instance;
        this.maxInFlight = maxInFlightPerChannel;
    }

    /** The instance GUID of controller {@code index} (0, 1, ...) of a VM: stable across runs. */
    public static Guid controllerInstance(int index) {
        return Guid.parse("%08x-5c51-4e1a-8000-0000000000%02x".formatted(0xd15c0000, index & 0xFF));
    }

    @Override
    public Guid interfaceType() {
        return DeviceClass.SCSI;
    }

    @Override
    public Guid instance() {
        return instance;
    }

    /** Room for a GPA-direct packet of {@link #MAX_TRANSFER_BYTES} (one PFN per page) and the vstor packet. */
    @Override
    public int maxPacketBytes() {
        return 8192;
    }

    /** Threads each attached disk runs its file I/O on (sized to the machine's processors). */
    public static int diskThreads() {
        return DiskQueue.THREADS;
    }

    int maxInFlightPerChannel() {
        return maxInFlight;
    }

    @Override
    public ChannelHandler open(VmbusChannel channel) {
        SavedChannel saved = restoring.remove(channel.relid());
        StorChannel handler = saved == null ? new StorChannel(this, channel)
                : new StorChannel(this, channel, StorChannel.restoredState(saved));
        channels.add(handler);
        return handler;
    }

    /** Each open channel's initialization state, for a save of the VM (after {@link #quiesce}). */
    public java.util.List<SavedChannel> saveChannels() {
        return channels.stream().map(StorChannel::save).toList();
    }

    /**
     * Before the VMBus server re-opens the saved channels of a restored VM: each channel named here
     * resumes its initialization where it was saved (a re-opened storvsc channel is not
     * re-initialized by its guest, which goes on sending requests).
     */
    public void restoreChannels(java.util.List<SavedChannel> saved) {
        for (SavedChannel c : saved) {
            StorChannel.restoredState(c); // refuse a bad one now, not when the channel opens
            restoring.put(c.relid(), c);
        }
    }

    /**
     * Prepares a save of the suspended guest: from now on a request runs to completion inside the
     * channel turn that reads it (so a save that pauses the channel finds it either answered or
     * still unread in the ring, as VMBus guarantees), and this waits until the requests already
     * handed to the disks have completed into the guest's ring.
     *
     * @return false if some were still in flight at the deadline (the guest stopped reading its ring)
     */
    public boolean quiesce(java.time.Duration timeout) throws InterruptedException {
        quiescing = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (channels.stream().anyMatch(c -> c.unanswered() > 0)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }

    /** Ends {@link #quiesce} (the save was rolled back): disk requests go to the disk threads again. */
    public void unquiesce() {
        quiescing = false;
    }

    boolean quiescing() {
        return quiescing;
    }

    void closed(StorChannel channel) {
        channels.remove(channel);
    }

    Optional<Attached> lun(int lun) {
        return Optional.ofNullable(luns.get(lun));
    }

    /** The attached LUNs, ascending (REPORT LUNS). */
    SortedSet<Integer> lunNumbers() {
        return new TreeSet<>(luns.keySet());
    }

    /**
     * Attaches {@code disk} as {@code lun}; the guest is told if it is running.
     *
     * @throws IllegalArgumentException when the LUN is out of range or taken
     */
    public void attach(int lun, BackingDisk disk) {
        if (lun < 0 || lun >= MAX_LUNS) {
            throw new IllegalArgumentException("LUN " + lun + " is outside 0-" + (MAX_LUNS - 1));
        }
        Attached attached = new Attached(new LogicalUnit(disk, MAX_TRANSFER_BYTES), new DiskQueue(disk.name()));
        if (luns.putIfAbsent(lun, attached) != null) {
            attached.queue().close();
            throw new IllegalArgumentException("LUN " + lun + " already holds a disk");
        }
        announceChange(lun);
    }

    /**
     * Detaches the disk on {@code lun} after its requests in flight complete, and returns it (the
     * caller closes it); empty when the LUN holds none.
     */
    public Optional<BackingDisk> detach(int lun) {
        Attached gone = luns.remove(lun);
        if (gone == null) {
            return Optional.empty();
        }
        gone.queue().close();
        announceChange(lun);
        return Optional.of(gone.unit().disk());
    }

    /** Detaches every disk, waiting for their requests; returns them for the caller to close. */
    public java.util.List<BackingDisk> detachAll() {
        java.util.List<BackingDisk> out = new java.util.ArrayList<>();
        for (int lun : lunNumbers()) {
            detach(lun).ifPresent(out::add);
        }
        return out;
    }

    /**
     * With a guest on the bus, the other units get REPORTED LUNS DATA HAS CHANGED and ready channels
     * ENUMERATE_BUS; before the guest opened the controller there is nothing to tell it.
     */
    private void announceChange(int changedLun) {
        if (channels.isEmpty()) {
            return;
        }
        luns.forEach((n, a) -> {
            if (n != changedLun) {
                a.unit().raiseUnitAttention(Sense.REPORTED_LUNS_DATA_CHANGED);
            }
        });
        channels.forEach(StorChannel::sendEnumerateBus);
    }

    @Override
    public String toString() {
        return "StorVsp[" + instance + ", LUNs " + lunNumbers() + "]";
    }
}
