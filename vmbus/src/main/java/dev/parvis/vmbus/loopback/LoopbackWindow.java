package dev.parvis.vmbus.loopback;

import dev.parvis.vmcore.GrantRefusedException;
import dev.parvis.vmcore.GuestRamEpochs;
import dev.parvis.vmcore.GuestRamWindow;

import java.lang.foreign.MemorySegment;

/**
 * The loopback's {@link GuestRamWindow}: pages checked and bound under the guest memory's lock;
 * {@link LoopbackGuestMemory#unmap} ends the epoch under the same lock.
 */
final class LoopbackWindow implements GuestRamWindow {
    private final LoopbackGuestMemory memory;
    private final GuestRamEpochs epochs = new GuestRamEpochs();

    LoopbackWindow(LoopbackGuestMemory memory) {
        this.memory = memory;
    }

    @Override
    public long partitionId() {
        return memory.partitionId();
    }

    @Override
    public MemorySegment[] resolve(long[] gpns, int from, int count) {
        if (from < 0 || count < 1 || from > gpns.length - count) {
            throw new GrantRefusedException("no pages to resolve");
        }
        synchronized (memory) {
            MemorySegment[] pages = new MemorySegment[count];
            for (int i = 0; i < count; i++) {
                pages[i] = memory.backing(gpns[from + i]);
                if (pages[i] == null) {
                    throw new GrantRefusedException("page 0x" + Long.toHexString(gpns[from + i])
                            + " is not mapped in partition " + memory.partitionId());
                }
            }
            return epochs.bind(pages);
        }
    }

    void endEpoch() {
        epochs.end();
    }

    @Override
    public void close() {
        if (epochs.close()) {
            memory.forget(this);
        }
    }
}
