package dev.parvis.e2e.storage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The disk guests' seeded pattern (guest-sdk parvis/disk.h): the little-endian word at disk byte offset
 * 8w is splitmix64's output for the state {@code seed + (w + 1) * 0x9e3779b97f4a7c15}; and disk-digest's
 * digest (FNV-1a over 64-bit words per 64 KiB chunk, then over the chunk digests).
 */
final class DiskPattern {
    static final int DIGEST_CHUNK = 64 * 1024;
    private static final long GOLDEN = 0x9e3779b97f4a7c15L;
    private static final long FNV_BASIS = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private DiskPattern() {
    }

    static long word(long seed, long wordIndex) {
        long z = seed + (wordIndex + 1) * GOLDEN;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** The {@code length} bytes the pattern puts at disk offset {@code offset} (both multiples of 8). */
    static byte[] bytes(long seed, long offset, int length) {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < length / 8; k++) {
            b.putLong(word(seed, offset / 8 + k));
        }
        return b.array();
    }

    /** Offset of the first byte of {@code actual[from, from + length)} that differs from the pattern at disk offset {@code from}, or -1. */
    static long firstDifference(byte[] actual, long seed, int from, int length) {
        ByteBuffer b = ByteBuffer.wrap(actual).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < length / 8; k++) {
            int at = from + 8 * k;
            long want = word(seed, at / 8L);
            long got = b.getLong(at);
            if (got != want) {
                return at + Long.numberOfTrailingZeros(got ^ want) / 8;
            }
        }
        return -1;
    }

    /** disk-digest's digest of a whole disk image. */
    static long digest(byte[] disk) {
        ByteBuffer b = ByteBuffer.wrap(disk).order(ByteOrder.LITTLE_ENDIAN);
        int chunks = (disk.length + DIGEST_CHUNK - 1) / DIGEST_CHUNK;
        long total = FNV_BASIS;
        for (int c = 0; c < chunks; c++) {
            long h = FNV_BASIS;
            int end = Math.min(disk.length, (c + 1) * DIGEST_CHUNK);
            for (int at = c * DIGEST_CHUNK; at < end; at += 8) {
                h = (h ^ b.getLong(at)) * FNV_PRIME;
            }
            total = (total ^ h) * FNV_PRIME;
        }
        return total;
    }
}
