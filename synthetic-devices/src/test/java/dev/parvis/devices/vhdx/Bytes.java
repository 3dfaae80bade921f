package dev.parvis.devices.vhdx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;

/** Test data: seeded patterns and whole-disk reads. */
final class Bytes {
    private Bytes() {
    }

    static byte[] random(long seed, int length) {
        byte[] out = new byte[length];
        new Random(seed).nextBytes(out);
        return out;
    }

    /** Every byte of the disk as Parvis reads it. */
    static byte[] readAll(VhdxDisk disk) throws IOException {
        byte[] out = new byte[Math.toIntExact(disk.size())];
        disk.read(0, ByteBuffer.wrap(out));
        return out;
    }

    static void write(VhdxDisk disk, long offset, byte[] data) throws IOException {
        disk.write(offset, ByteBuffer.wrap(data));
    }

    static void write(VhdxDisk disk, long offset, byte[] data, int from, int length) throws IOException {
        disk.write(offset, ByteBuffer.wrap(data, from, length));
    }

    static byte[] read(VhdxDisk disk, long offset, int length) throws IOException {
        byte[] out = new byte[length];
        disk.read(offset, ByteBuffer.wrap(out));
        return out;
    }
}
