package dev.parvis.devices.vhdx;

import dev.parvis.devices.vhdx.format.RegionTable;
import dev.parvis.devices.vhdx.format.VhdxChecksum;
import dev.parvis.devices.vhdx.format.VhdxFormatException;
import dev.parvis.devices.vhdx.format.VhdxHeader;
import dev.parvis.devices.vhdx.format.VhdxStructure;
import dev.parvis.devices.vhdx.storage.HeapStorage;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * 10,000 mutated VHDX files (seeded, repeatable): headers, region tables, metadata, BAT, log entries,
 * identifier and length, with checksums mostly recomputed so the mutation reaches the checks behind
 * them. Each file is refused with a {@link VhdxFormatException} or opens and reads consistently: every
 * read stays inside the file and the disk, two readings agree, and a write to an accepted file reads
 * back after reopening. Any other exception, an out-of-file read or a hang fails the test, naming the
 * case to replay.
 */
class HostileFileFuzzTest {
    private static final long MIB = 1 << 20;
    private static final int CASES = Integer.getInteger("parvis.fuzz.cases", 10_000);
    private static final long SEED = 0x5EED_F00DL;

    @TempDir
    Path dir;

    /** A base image and where its structures are. */
    record Base(String name, byte[] bytes, long logOffset, long logLength, long batOffset, long batUsed,
                long metadataOffset, List<long[]> logEntries, HeapStorage parent) {
    }

    /** What one worker saw over its share of the cases. */
    private static final class Tally {
        final Map<VhdxStructure, Integer> refusals = new EnumMap<>(VhdxStructure.class);
        int opened;
        long slowest;

        void add(Tally other) {
            other.refusals.forEach((structure, n) -> refusals.merge(structure, n, Integer::sum));
            opened += other.opened;
            slowest = Math.max(slowest, other.slowest);
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void everyMutatedFileIsRefusedWithAReasonOrOpensConsistently() throws Exception {
        List<Base> bases = bases();
        // Each case has its own seed and its own image (the bases are only read), so the cases are
        // shared out over every core: the same cases and checks as one after the other, in less time.
        int workers = Runtime.getRuntime().availableProcessors();
        Tally total = new Tally();
        try (ExecutorService pool = Executors.newFixedThreadPool(workers)) {
            List<Future<Tally>> parts = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int first = w;
                parts.add(pool.submit(() -> cases(bases, first, workers)));
            }
            for (Future<Tally> part : parts) {
                total.add(resultOf(part));
            }
        }
        System.out.printf("hostile VHDX fuzz: %d cases, %d opened, refused by structure %s, slowest case %d ms%n",
                CASES, total.opened, total.refusals, total.slowest / 1_000_000);
        assertTrue(total.opened > CASES / 20, "enough mutations still open to exercise the read path: " + total.opened);
        assertTrue(total.refusals.size() >= 8, "refusals reach many structures: " + total.refusals.keySet());
    }

    /** Cases {@code first}, {@code first + stride}, ... below {@link #CASES}. */
    private static Tally cases(List<Base> bases, int first, int stride) throws Exception {
        Tally tally = new Tally();
        for (int i = first; i < CASES; i += stride) {
            Random random = new Random(SEED + i);
            Base base = bases.get(random.nextInt(bases.size()));
            MutatedImage image = new MutatedImage(base.bytes(), base.bytes().length, false);
            int mutations = 1 + (random.nextInt(4) == 0 ? random.nextInt(4) : 0);
            for (int m = 0; m < mutations; m++) {
                mutate(image, base, random);
            }
            long start = System.nanoTime();
            String label = "case " + i + " (seed " + (SEED + i) + ", base " + base.name() + ")";
            try (VhdxDisk disk = VhdxDisk.open(image, resolver(base))) {
                tally.opened++;
                exercise(disk, image, base, random, label);
            } catch (VhdxFormatException refused) {
                assertNotNull(refused.structure(), label);
                assertTrue(refused.getMessage().length() > 10, label + ": " + refused.getMessage());
                tally.refusals.merge(refused.structure(), 1, Integer::sum);
            } catch (Throwable t) {
                throw new AssertionError(label + " threw " + t, t);
            }
            if (image.violation() != null) {
                fail(label + ": " + image.violation());
            }
            tally.slowest = Math.max(tally.slowest, System.nanoTime() - start);
        }
        return tally;
    }

    /** A worker's tally, or what failed in it (an assertion stays the assertion). */
    private static Tally resultOf(Future<Tally> part) throws Exception {
        try {
            return part.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw (Exception) e.getCause();
        }
    }

    private static VhdxDisk.ParentResolver resolver(Base base) {
        return (locator, depth) -> VhdxDisk.open(base.parent(), null);
    }

    /**
     * Reads the disk whole, then again in random pieces that must agree; a tenth of the cases also
     * write, flush and reopen.
     */
    private static void exercise(VhdxDisk disk, MutatedImage image, Base base, Random random, String label)
            throws IOException {
        long size = Math.min(disk.size(), 16 * MIB);
        int sector = disk.logicalSectorSize();
        byte[] whole = new byte[(int) size];
        disk.read(0, ByteBuffer.wrap(whole));
        for (int i = 0; i < 8 && size >= sector; i++) {
            int n = (int) Math.min(size, (1 + random.nextInt(700)) * (long) sector);
            long at = (long) random.nextInt((int) ((size - n) / sector) + 1) * sector;
            byte[] piece = new byte[n];
            disk.read(at, ByteBuffer.wrap(piece));
            if (!Arrays.equals(piece, 0, n, whole, (int) at, (int) at + n)) {
                fail(label + ": two readings of [" + at + ", +" + n + ") differ");
            }
        }
        if (disk.size() > size) {
            disk.read(disk.size() - sector, ByteBuffer.allocate(sector));
        }
        if (random.nextInt(10) == 0) {
            writeAndReopen(image, base, whole, random, label);
        }
    }

    private static void writeAndReopen(MutatedImage image, Base base, byte[] before, Random random, String label)
            throws IOException {
        MutatedImage copy = image.writableCopy();
        byte[] expected = before.clone();
        try (VhdxDisk disk = VhdxDisk.open(copy, resolver(base))) {
            byte[] replayed = new byte[before.length];
            disk.read(0, ByteBuffer.wrap(replayed));
            if (!Arrays.equals(before, replayed)) {
                fail(label + ": in-place replay differs from in-memory replay");
            }
            int sector = disk.logicalSectorSize();
            for (int w = 0; w < 3; w++) {
                int length = (1 + random.nextInt(64)) * sector;
                if (length > expected.length) {
                    break;
                }
                long offset = (long) random.nextInt((expected.length - length) / sector + 1) * sector;
                byte[] data = Bytes.random(random.nextLong(), length);
                disk.write(offset, ByteBuffer.wrap(data));
                System.arraycopy(data, 0, expected, (int) offset, length);
            }
            disk.flush();
        }
        try (VhdxDisk disk = VhdxDisk.open(copy, resolver(base))) {
            byte[] after = new byte[expected.length];
            disk.read(0, ByteBuffer.wrap(after));
            if (!Arrays.equals(expected, after)) {
                fail(label + ": writes to an accepted file did not read back");
            }
        }
        assertEquals(null, copy.violation(), label);
    }

    // ---- mutations ----

    private static final long[] U32_VALUES = {0, 1, 0xFFFF_FFFFL, 0x7FFF_FFFFL, 0x8000_0000L, 4096, 512, 64 << 10,
            MIB, MIB - 1, MIB + 1, 2 * MIB, 4 * MIB, 256 * MIB, 512 * MIB};
    private static final long[] U64_VALUES = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, MIB, 2 * MIB, 3 * MIB,
            1L << 40, 64L << 40, (64L << 40) + 1, 0xFFFF_FFFFL, 4096};

    private static void mutate(MutatedImage image, Base base, Random random) {
        switch (random.nextInt(9)) {
            case 0, 1 -> mutateHeader(image, random);
            case 2 -> mutateRegionTable(image, random);
            case 3 -> mutateMetadata(image, base, random);
            case 4, 5 -> mutateBat(image, base, random);
            case 6 -> mutateLog(image, base, random);
            case 7 -> mutateLength(image, base, random);
            default -> flip(image, random.nextLong(Math.max(1, Math.min(image.size(), 6 * MIB))), random);
        }
    }

    private static void mutateHeader(MutatedImage image, Random random) {
        long slot = random.nextBoolean() ? 64 << 10 : 128 << 10;
        int[] fields = {8, 16, 32, 48, 56, 64, 66, 68, 72};
        int field = fields[random.nextInt(fields.length)];
        switch (field) {
            case 64, 66 -> setLe(image, slot + field, random.nextInt(3), 2);
            case 68 -> setLe(image, slot + field, pick(U32_VALUES, random), 4);
            case 8, 72 -> setLe(image, slot + field, pick(U64_VALUES, random), 8);
            default -> setLe(image, slot + field, random.nextInt(4) == 0 ? 0 : random.nextLong(), 8);
        }
        if (random.nextInt(100) < 85) {
            fixChecksum(image, slot, VhdxHeader.SIZE, 4);
        }
    }

    private static void mutateRegionTable(MutatedImage image, Random random) {
        long table = random.nextInt(5) == 0 ? 256 << 10 : 192 << 10;
        int entry = random.nextInt(3);
        switch (random.nextInt(5)) {
            case 0 -> setLe(image, table + 8, random.nextInt(2) == 0 ? random.nextInt(4) : pick(U32_VALUES, random), 4);
            case 1 -> setLe(image, table + 16 + 32 * entry + 16, pick(U64_VALUES, random) & ~(random.nextBoolean() ? 0 : MIB - 1), 8);
            case 2 -> setLe(image, table + 16 + 32 * entry + 24, pick(U32_VALUES, random), 4);
            case 3 -> setLe(image, table + 16 + 32 * entry + 28, random.nextInt(4), 4);
            default -> flip(image, table + 16 + 32 * entry + random.nextInt(16), random);
        }
        if (random.nextInt(100) < 85) {
            fixChecksum(image, table, RegionTable.SIZE, 4);
        }
    }

    private static void mutateMetadata(MutatedImage image, Base base, Random random) {
        long region = base.metadataOffset();
        int entry = random.nextInt(7);
        switch (random.nextInt(7)) {
            case 0 -> setLe(image, region + 10, random.nextInt(10), 2);
            case 1 -> setLe(image, region + 32 + 32 * entry + 16, pick(U32_VALUES, random), 4);
            case 2 -> setLe(image, region + 32 + 32 * entry + 20, pick(U32_VALUES, random), 4);
            case 3 -> setLe(image, region + 32 + 32 * entry + 24, random.nextInt(8), 4);
            case 4 -> flip(image, region + 32 + 32 * entry + random.nextInt(16), random);
            case 5 -> setLe(image, region + (64 << 10) + 4 * random.nextInt(10), pick(U32_VALUES, random), 4);
            default -> flip(image, region + (64 << 10) + random.nextInt(400), random);
        }
    }

    private static void mutateBat(MutatedImage image, Base base, Random random) {
        long entries = Math.max(1, base.batUsed() / 8);
        long at = base.batOffset() + 8 * random.nextLong(entries + 2);
        long[] places = {0, MIB, base.logOffset(), base.batOffset(), base.metadataOffset(), image.size(),
                image.size() - MIB, image.size() + MIB, 1L << 43, (image.size() / MIB / 2) * MIB};
        long offset = places[random.nextInt(places.length)] & ~(MIB - 1);
        long value = switch (random.nextInt(6)) {
            case 0 -> random.nextLong();
            case 1 -> offset | (1L << (3 + random.nextInt(17))) | 6;
            case 2 -> get(image, base.batOffset() + 8 * random.nextLong(entries), 8);
            default -> offset | random.nextInt(8);
        };
        setLe(image, at, value, 8);
    }

    private static void mutateLog(MutatedImage image, Base base, Random random) {
        if (base.logEntries().isEmpty()) {
            flip(image, base.logOffset() + random.nextLong(base.logLength()), random);
            return;
        }
        long[] entry = base.logEntries().get(random.nextInt(base.logEntries().size()));
        long start = base.logOffset() + entry[0];
        switch (random.nextInt(6)) {
            case 0 -> setLe(image, start + 8, pick(U32_VALUES, random), 4);
            case 1 -> setLe(image, start + 12, pick(U32_VALUES, random), 4);
            case 2 -> setLe(image, start + 16, pick(U64_VALUES, random), 8);
            case 3 -> setLe(image, start + 24, pick(U32_VALUES, random), 4);
            case 4 -> setLe(image, start + 48 + 8 * random.nextInt(2), pick(U64_VALUES, random), 8);
            default -> {
                long inside = 64 + random.nextLong(entry[1] - 64);
                if (random.nextBoolean() && inside < 4096) {
                    setLe(image, start + (inside & ~7), pick(U64_VALUES, random) & ~4095, 8);
                } else {
                    flip(image, start + inside, random);
                }
            }
        }
        if (random.nextInt(100) < 85) {
            fixChecksum(image, start, (int) entry[1], 4);
        }
    }

    private static void mutateLength(MutatedImage image, Base base, Random random) {
        long[] cuts = {0, 4096, MIB - 1, MIB, base.logOffset() + base.logLength() - 4096, base.batOffset() + 4096,
                base.metadataOffset() + 1000, image.size() - 1, image.size() - MIB, image.size() + MIB};
        long cut = random.nextBoolean() ? cuts[random.nextInt(cuts.length)] : random.nextLong(Math.max(1, image.size()));
        image.truncate(Math.max(0, cut));
    }

    private static long pick(long[] values, Random random) {
        return random.nextInt(5) == 0 ? random.nextLong() : values[random.nextInt(values.length)];
    }

    private static void flip(MutatedImage image, long position, Random random) {
        image.set(position, (byte) (image.get(position) ^ (1 << random.nextInt(8))));
    }

    private static void setLe(MutatedImage image, long position, long value, int width) {
        for (int i = 0; i < width; i++) {
            image.set(position + i, (byte) (value >>> (8 * i)));
        }
    }

    private static long get(MutatedImage image, long position, int width) {
        long value = 0;
        for (int i = 0; i < width; i++) {
            value |= (image.get(position + i) & 0xFFL) << (8 * i);
        }
        return value;
    }

    private static void fixChecksum(MutatedImage image, long start, int length, int field) {
        byte[] span = new byte[length];
        for (int i = 0; i < length; i++) {
            span[i] = image.get(start + i);
        }
        VhdxChecksum.store(MemorySegment.ofArray(span), field);
        for (int i = field; i < field + 4; i++) {
            image.set(start + i, span[i]);
        }
    }

    // ---- base images ----

    private List<Base> bases() throws Exception {
        List<Base> out = new ArrayList<>();
        HeapStorage parent = HeapStorage.empty("parent");
        VhdxCreator.write(parent, CreateRequest.dynamic(4 * MIB).withBlockSize(MIB), null);
        try (VhdxDisk disk = VhdxDisk.open(parent, null)) {
            Bytes.write(disk, 0, Bytes.random(1, (int) (3 * MIB)));
        }
        HeapStorage sharedParent = new HeapStorage("parent", parent.toByteArray(), false);
        out.add(base("dynamic, dirty log", dirty(CreateRequest.dynamic(4 * MIB).withBlockSize(MIB), null), null));
        out.add(base("4096-byte sectors, dirty log",
                dirty(CreateRequest.dynamic(4 * MIB).withBlockSize(MIB).withSectorSizes(4096, 4096), null), null));
        out.add(base("fixed, clean", clean(CreateRequest.fixed(3 * MIB).withBlockSize(MIB)), null));
        out.add(base("differencing, dirty log",
                dirty(CreateRequest.differencing(Path.of("parent.vhdx")).withBlockSize(MIB), parent), sharedParent));
        out.add(base("dynamic, clean", clean(CreateRequest.dynamic(4 * MIB).withBlockSize(MIB)), null));
        Path qemu = dir.resolve("qemu.vhdx");
        QemuImg.ok("qemu-img", "create", "-f", "vhdx", "-o", "block_size=1M", qemu.toString(), "4M");
        QemuImg.ok("qemu-io", "-f", "vhdx", "-c", "write -P 0x42 512k 1M", qemu.toString());
        out.add(base("made by qemu-img", Files.readAllBytes(qemu), null));
        return out;
    }

    private static byte[] clean(CreateRequest request) throws IOException {
        HeapStorage image = HeapStorage.empty("clean");
        VhdxCreator.write(image, request, null);
        try (VhdxDisk disk = VhdxDisk.open(image, null)) {
            Bytes.write(disk, 512, Bytes.random(2, (int) (2 * MIB)));
        }
        return image.toByteArray();
    }

    /** An image captured while its writer had flushed but not closed: the log is active. */
    private static byte[] dirty(CreateRequest request, HeapStorage parent) throws IOException {
        HeapStorage image = HeapStorage.empty("dirty");
        if (parent == null) {
            VhdxCreator.write(image, request, null);
        } else {
            try (VhdxDisk p = VhdxDisk.open(new HeapStorage("parent", parent.toByteArray(), false), null)) {
                VhdxCreator.write(image, request, new VhdxCreator.ParentLink(p, "parent.vhdx"));
            }
        }
        VhdxDisk disk = VhdxDisk.open(image, (l, d) -> VhdxDisk.open(new HeapStorage("parent", parent.toByteArray(), false), null));
        int sector = disk.logicalSectorSize();
        Bytes.write(disk, sector, Bytes.random(3, 8 * sector));
        Bytes.write(disk, 2 * MIB, Bytes.random(4, (int) MIB));
        disk.flush();
        Bytes.write(disk, MIB + 4096, Bytes.random(5, 4096));
        disk.flush();
        return image.toByteArray();
    }

    private static Base base(String name, byte[] bytes, HeapStorage parent) throws IOException {
        HeapStorage storage = new HeapStorage(name, bytes, false);
        VhdxHeader header = HeaderSlots.read(storage).current();
        RegionTable regions = RegionTable.read(MemorySegment.ofArray(Arrays.copyOfRange(bytes, 192 << 10, 256 << 10)));
        long bat = regions.find(RegionTable.BAT_REGION).orElseThrow().fileOffset();
        long metadata = regions.find(RegionTable.METADATA_REGION).orElseThrow().fileOffset();
        List<long[]> entries = new ArrayList<>();
        ByteBuffer le = ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (long at = 0; at < header.logLength(); at += 4096) {
            long p = header.logOffset() + at;
            if (le.getInt((int) p) == 0x65676F6C) {
                entries.add(new long[]{at, Integer.toUnsignedLong(le.getInt((int) p + 8))});
            }
        }
        if (name.contains("dirty")) {
            assertTrue(header.logIsActive() && !entries.isEmpty(), name + " has an active log");
        }
        return new Base(name, bytes, header.logOffset(), header.logLength(), bat, 4096, metadata, entries, parent);
    }
}
