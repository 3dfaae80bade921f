package dev.parvis.devices.storvsp.fuzz;

import java.nio.ByteBuffer;
import java.util.Random;

/**
 * UNMAP CDBs and parameter lists (SBC-3 5.28): a header (data length, block descriptor data length)
 * and descriptors {LBA, count}; well-formed, or with one field set to a bound (a count or LBA past
 * the disk, a descriptor length longer or shorter than the list, more descriptors than allowed).
 */
final class UnmapLists {
    private static final int HEADER = 8;
    private static final int DESCRIPTOR = 16;

    private UnmapLists() {
    }

    /** The CDB for a list of {@code descriptors}; sets the draft's buffer length to the list's. */
    static byte[] cdb(Draft d, int descriptors) {
        d.length = HEADER + DESCRIPTOR * descriptors;
        return new byte[] {0x42, 0, 0, 0, 0, 0, 0, (byte) (d.length >> 8), (byte) d.length, 0};
    }

    /** The parameter list filling the draft's buffer; one time in four, one field of it is off. */
    static byte[] list(Random random, Draft d, ShadowDisk g) {
        int descriptors = (d.length - HEADER) / DESCRIPTOR;
        ByteBuffer list = ByteBuffer.allocate(d.length);
        list.putShort((short) (d.length - 2)).putShort((short) (DESCRIPTOR * descriptors)).putInt(0);
        for (int i = 0; i < descriptors; i++) {
            long count = 1 + random.nextInt((int) Math.min(g.blocks, descriptors > 3 ? 4 : 256));
            long lba = random.nextLong(g.blocks - count + 1);
            list.putLong(lba).putInt((int) count).putInt(0);
        }
        if (random.nextInt(4) == 0) {
            d.label(breakList(random, list, descriptors, g));
        }
        return list.array();
    }

    private static String breakList(Random random, ByteBuffer list, int descriptors, ShadowDisk g) {
        int at = HEADER + DESCRIPTOR * random.nextInt(descriptors);
        switch (random.nextInt(6)) {
            case 0 -> list.putLong(at, g.blocks - random.nextInt(3));
            case 1 -> list.putLong(at, -1L - random.nextInt(3));
            case 2 -> list.putInt(at + 8, (int) (g.blocks + 1));
            case 3 -> list.putInt(at + 8, (int) ((8L << 20) / g.sector + random.nextInt(2)));
            case 4 -> list.putShort(2, (short) random.nextInt(0x10000));
            default -> list.putInt(at + 8, 0);
        }
        return "UNMAP list: descriptor or header field off";
    }
}
