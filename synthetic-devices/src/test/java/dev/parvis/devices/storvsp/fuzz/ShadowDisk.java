package dev.parvis.devices.storvsp.fuzz;

import java.util.Arrays;
import java.util.BitSet;

/**
 * What a fuzzed logical unit must hold: a fresh disk reads as zeros, then every write and UNMAP the
 * host completed GOOD changes it. Blocks two such requests of one batch both changed (the disk's
 * threads ran them in either order) have unknown content until a later write covers them.
 */
final class ShadowDisk {
    final int lun;
    final int sector;
    final int physicalSector;
    final long blocks;
    final boolean readOnly;
    private final byte[] bytes;
    private final BitSet unknown = new BitSet();

    ShadowDisk(int lun, long sizeBytes, int sector, int physicalSector, boolean readOnly) {
        this.lun = lun;
        this.sector = sector;
        this.physicalSector = physicalSector;
        this.blocks = sizeBytes / sector;
        this.readOnly = readOnly;
        this.bytes = new byte[Math.toIntExact(sizeBytes)];
    }

    /** Whether every block of {@code [lba, lba + count)} has known content. */
    boolean known(long lba, long count) {
        int next = unknown.nextSetBit((int) lba);
        return next < 0 || next >= lba + count;
    }

    byte[] read(long lba, int byteCount) {
        int from = Math.toIntExact(lba * sector);
        return Arrays.copyOfRange(bytes, from, from + byteCount);
    }

    void write(long lba, byte[] data) {
        System.arraycopy(data, 0, bytes, Math.toIntExact(lba * sector), data.length);
        unknown.clear((int) lba, (int) (lba + data.length / sector));
    }

    void zero(long lba, long count) {
        Arrays.fill(bytes, Math.toIntExact(lba * sector), Math.toIntExact((lba + count) * sector), (byte) 0);
        unknown.clear((int) lba, (int) (lba + count));
    }

    void forget(long lba, long count) {
        unknown.set((int) lba, (int) (lba + count));
    }

    @Override
    public String toString() {
        return "LUN " + lun + " (" + blocks + " blocks of " + sector + (readOnly ? ", read-only)" : ")");
    }
}
