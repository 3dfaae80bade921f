package dev.parvis.devices.storvsp;

import java.nio.ByteBuffer;

/** CDBs as a guest builds them (big-endian fields, SBC-3/SPC-4). */
final class Cdb {
    private Cdb() {
    }

    static byte[] read10(long lba, int blocks) {
        return ByteBuffer.allocate(10).put((byte) 0x28).put((byte) 0).putInt((int) lba).put((byte) 0)
                .putShort((short) blocks).put((byte) 0).array();
    }

    static byte[] write10(long lba, int blocks) {
        byte[] c = read10(lba, blocks);
        c[0] = 0x2A;
        return c;
    }

    static byte[] read16(long lba, int blocks) {
        return ByteBuffer.allocate(16).put((byte) 0x88).put((byte) 0).putLong(lba).putInt(blocks).put((byte) 0)
                .put((byte) 0).array();
    }

    static byte[] write16(long lba, int blocks) {
        byte[] c = read16(lba, blocks);
        c[0] = (byte) 0x8A;
        return c;
    }

    static byte[] inquiry(boolean evpd, int page, int allocation) {
        return new byte[] {0x12, (byte) (evpd ? 1 : 0), (byte) page, (byte) (allocation >> 8), (byte) allocation, 0};
    }

    static byte[] testUnitReady() {
        return new byte[6];
    }

    static byte[] readCapacity10() {
        return new byte[] {0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    }

    static byte[] readCapacity16(int allocation) {
        return ByteBuffer.allocate(16).put((byte) 0x9E).put((byte) 0x10).putLong(0).putInt(allocation).put((byte) 0)
                .put((byte) 0).array();
    }

    static byte[] reportLuns(int allocation) {
        return ByteBuffer.allocate(12).put((byte) 0xA0).put((byte) 0).put((byte) 0).put(new byte[3]).putInt(allocation)
                .put((byte) 0).put((byte) 0).array();
    }

    static byte[] modeSense6(int page, int allocation) {
        return new byte[] {0x1A, 0, (byte) page, 0, (byte) allocation, 0};
    }

    static byte[] modeSense10(int page, int allocation) {
        return new byte[] {0x5A, 0, (byte) page, 0, 0, 0, 0, (byte) (allocation >> 8), (byte) allocation, 0};
    }

    static byte[] synchronizeCache10() {
        return new byte[] {0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    }

    static byte[] synchronizeCache16() {
        byte[] c = new byte[16];
        c[0] = (byte) 0x91;
        return c;
    }

    static byte[] requestSense(int allocation) {
        return new byte[] {0x03, 0, 0, 0, (byte) allocation, 0};
    }

    static byte[] unmap(int parameterListLength) {
        return new byte[] {0x42, 0, 0, 0, 0, 0, 0, (byte) (parameterListLength >> 8), (byte) parameterListLength, 0};
    }
}
