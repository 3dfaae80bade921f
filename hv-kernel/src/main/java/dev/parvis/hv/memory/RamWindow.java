package dev.parvis.hv.memory;

import dev.parvis.hv.backend.GuestMemoryRegion;
import dev.parvis.vmcore.GrantRefusedException;
import dev.parvis.vmcore.GuestRamEpochs;
import dev.parvis.vmcore.GuestRamWindow;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

/**
 * A device data path's window onto one child's RAM ({@link GuestRamWindow}). Pages are checked and
 * bound under the GPA map's lock, the lock every unmap holds while it reports the leaving page
 * ({@link GrantTable#pageLeaving}, which ends the window's epoch): so a page is either bound before
 * it leaves (and its segment dies with the epoch) or refused after. One arena per epoch, not per
 * request: closing a shared arena handshakes every JVM thread, which a request cannot afford.
 */
final class RamWindow implements GuestRamWindow {
    private static final int NEEDED = GuestMemoryRegion.READ | GuestMemoryRegion.WRITE;

    private final SpaPool pool;
    private final long partitionId;
    private final GpaMap map;
    private final Consumer<RamWindow> onClose;
    private final GuestRamEpochs epochs = new GuestRamEpochs();

    RamWindow(SpaPool pool, long partitionId, GpaMap map, Consumer<RamWindow> onClose) {
        this.pool = pool;
        this.partitionId = partitionId;
        this.map = map;
        this.onClose = onClose;
    }

    @Override
    public long partitionId() {
        return partitionId;
    }

    @Override
    public MemorySegment[] resolve(long[] gpns, int from, int count) {
        if (from < 0 || count < 1 || from > gpns.length - count) {
            throw new GrantRefusedException("no pages to resolve");
        }
        MemorySegment[] pages = new MemorySegment[count];
        synchronized (map) {
            for (int i = 0; i < count; i++) {
                pages[i] = pool.pages(checkedSpn(gpns[from + i]), 1);
            }
            return epochs.bind(pages);
        }
    }

    private long checkedSpn(long gpn) {
        if (gpn <= 0 || gpn >= GpaMap.MAX_GPN) {
            throw new GrantRefusedException("partition %d GPN 0x%x is outside guest-physical space".formatted(partitionId, gpn));
        }
        if (map.isOverlaid(gpn)) {
            throw new GrantRefusedException("partition %d GPN 0x%x is covered by an overlay page".formatted(partitionId, gpn));
        }
        int access = map.access(gpn);
        if (access < 0 || (access & NEEDED) != NEEDED) {
            throw new GrantRefusedException("partition %d GPN 0x%x is not mapped read-write".formatted(partitionId, gpn));
        }
        return map.spn(gpn);
    }

    void endEpoch() {
        epochs.end();
    }

    @Override
    public void close() {
        if (epochs.close()) {
            onClose.accept(this);
        }
    }
}
