package dev.parvis.root.vm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;

/**
 * A saved.state file's bytes under mutation for {@link SavedStateFuzzTest}: bytes flipped or
 * overwritten anywhere, and edits that know the format where that is cheap (a section's fields,
 * length, type; the file header; sections duplicated, dropped, swapped or resized; the file cut or
 * grown), each named in {@link #mutations()} so that a failing case says what was done to it. The
 * sections are found by walking the headers of the bytes as they are now, so edits stack. {@link
 * #reseal} stores END's CRC-32C again, so the mutation reaches the checks behind it.
 */
final class MutatedSavedState {
    /** Counts, lengths and indices worth trying in a u32 field: bounds of this format and its neighbours'. */
    private static final int[] U32_VALUES = {0, 1, 2, 3, 4, 7, 8, 9, 15, 16, 63, 64, 65, 120, 240, 272, 1024, 1025, 2047,
            2048, 4095, 4096, 8190, 8191, 8192, 65536, 524_287, 524_288, Integer.MAX_VALUE, Integer.MIN_VALUE, -1, -2};
    private static final long[] U64_VALUES = {0, 1, 2, 7, 8, 9, -1, Long.MAX_VALUE, Long.MIN_VALUE, 0xFFFF_FFFFL, 1L << 32,
            4096, 1L << 40};

    private byte[] bytes;
    private final List<String> done = new ArrayList<>();

    MutatedSavedState(byte[] base) {
        this.bytes = base.clone();
    }

    byte[] bytes() {
        return bytes;
    }

    List<String> mutations() {
        return done;
    }

    /** A section as its header places it: header offset, type, body offset and claimed body length. */
    record Span(int header, int type, int body, int length) {
        int end() {
            return body + length;
        }
    }

    /** The sections whose header and body lie inside the file, in file order, up to the first that does not. */
    List<Span> sections() {
        List<Span> out = new ArrayList<>();
        ByteBuffer b = le();
        int at = 16;
        while (at + 16 <= bytes.length && out.size() < 100) {
            long length = b.getLong(at + 8);
            if (length < 0 || length > bytes.length - at - 16) {
                break;
            }
            out.add(new Span(at, b.getInt(at), at + 16, (int) length));
            at += 16 + (int) length;
        }
        return out;
    }

    /** One mutation chosen by {@code random}. */
    void mutate(Random random) {
        List<Span> sections = sections();
        if (sections.isEmpty()) {
            flip(random);
            return;
        }
        Span s = pick(sections, random);
        switch (random.nextInt(16)) {
            case 0, 1 -> flip(random);
            case 2 -> overwrite(random);
            case 3, 4, 5, 6 -> fieldU32(s, random);
            case 7 -> fieldU64(s, random);
            case 8 -> sectionLength(s, random);
            case 9 -> sectionTypeOrReserved(s, random);
            case 10 -> header(random);
            case 11 -> truncate(sections, random);
            case 12 -> duplicate(sections, s, random);
            case 13 -> drop(s, random);
            case 14 -> resize(s, random);
            default -> {
                if (random.nextBoolean()) {
                    swap(sections, random);
                } else {
                    append(random);
                }
            }
        }
    }

    /** A section, each type present as likely as another (so that 4 VP sections do not draw most edits). */
    private static Span pick(List<Span> sections, Random random) {
        List<Integer> types = sections.stream().map(Span::type).distinct().toList();
        int type = types.get(random.nextInt(types.size()));
        List<Span> ofType = sections.stream().filter(x -> x.type() == type).toList();
        return ofType.get(random.nextInt(ofType.size()));
    }

    /** END's CRC-32C (of every byte before END's header) stored again, if an END with room for it is found. */
    void reseal() {
        for (Span s : sections()) {
            if (s.type() == SavedStateFile.END && s.length() >= 4) {
                CRC32C crc = new CRC32C();
                crc.update(bytes, 0, s.header());
                le().putInt(s.body(), (int) crc.getValue());
                return;
            }
        }
    }

    private void flip(Random random) {
        if (bytes.length == 0) {
            return;
        }
        int at = random.nextInt(bytes.length);
        int bit = random.nextInt(8);
        bytes[at] ^= (byte) (1 << bit);
        done.add("flip bit %d of byte %d".formatted(bit, at));
    }

    private void overwrite(Random random) {
        if (bytes.length == 0) {
            return;
        }
        int at = random.nextInt(bytes.length);
        int n = Math.min(1 + random.nextInt(8), bytes.length - at);
        for (int i = 0; i < n; i++) {
            bytes[at + i] = (byte) random.nextInt(256);
        }
        done.add("overwrite %d bytes at %d".formatted(n, at));
    }

    /**
     * A u32 of a section's body: among its first fields (its counts and lengths), anywhere, or one
     * that holds a small number now (a count, index, length or flag deeper in, not page data).
     */
    private void fieldU32(Span s, Random random) {
        if (s.length() < 4) {
            return;
        }
        int slots = s.length() / 4;
        int slot = switch (random.nextInt(3)) {
            case 0 -> random.nextInt(Math.min(slots, 16));
            case 1 -> random.nextInt(slots);
            default -> smallValueSlot(s, random);
        };
        int at = s.body() + 4 * slot;
        int old = le().getInt(at);
        int value = switch (random.nextInt(6)) {
            case 0 -> old + (random.nextBoolean() ? 1 : -1);
            case 1 -> s.length() - 4 * slot + random.nextInt(3) - 1; // what is left of the section, and either side
            case 2 -> bytes.length - at + random.nextInt(3) - 1; // what is left of the file, and either side
            case 3 -> random.nextInt();
            default -> U32_VALUES[random.nextInt(U32_VALUES.length)];
        };
        le().putInt(at, value);
        done.add("section type %d at %d: u32 at body+%d 0x%x -> 0x%x".formatted(s.type(), s.header(), 4 * slot, old, value));
    }

    /** A random one of the body's u32 slots that hold 1 to 0xFFFF, or any slot if none does. */
    private int smallValueSlot(Span s, Random random) {
        ByteBuffer b = le();
        List<Integer> small = new ArrayList<>();
        for (int slot = 0; slot < s.length() / 4; slot++) {
            int v = b.getInt(s.body() + 4 * slot);
            if (v > 0 && v <= 0xFFFF) {
                small.add(slot);
            }
        }
        return small.isEmpty() ? random.nextInt(s.length() / 4) : small.get(random.nextInt(small.size()));
    }

    /** A u64 of a section's body (a GPN, a PFN, a register value, the reference time). */
    private void fieldU64(Span s, Random random) {
        if (s.length() < 8) {
            return;
        }
        int offset = 4 * random.nextInt((s.length() - 4) / 4);
        long value = random.nextInt(4) == 0 ? random.nextLong() : U64_VALUES[random.nextInt(U64_VALUES.length)];
        le().putLong(s.body() + offset, value);
        done.add("section type %d at %d: u64 at body+%d -> 0x%x".formatted(s.type(), s.header(), offset, value));
    }

    private void sectionLength(Span s, Random random) {
        long left = bytes.length - s.body();
        long[] choices = {0, -1, 4, 8, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 32, Integer.MAX_VALUE, left, left + 1,
                s.length() + 1, s.length() - 1, s.length() + 4, s.length() - 4, s.length() + 16, s.length() - 16};
        long value = choices[random.nextInt(choices.length)];
        le().putLong(s.header() + 8, value);
        done.add("section type %d at %d: length %d -> %d".formatted(s.type(), s.header(), s.length(), value));
    }

    private void sectionTypeOrReserved(Span s, Random random) {
        if (random.nextInt(3) == 0) {
            int value = random.nextBoolean() ? 1 : random.nextInt();
            le().putInt(s.header() + 4, value);
            done.add("section type %d at %d: reserved -> 0x%x".formatted(s.type(), s.header(), value));
        } else {
            int type = random.nextInt(10) - 1;
            le().putInt(s.header(), type);
            done.add("section type %d at %d: type -> %d".formatted(s.type(), s.header(), type));
        }
    }

    private void header(Random random) {
        switch (random.nextInt(3)) {
            case 0 -> {
                int version = random.nextInt(8) - 1;
                le().putInt(8, version);
                done.add("header: version -> " + version);
            }
            case 1 -> {
                int count = random.nextInt(4) == 0 ? U32_VALUES[random.nextInt(U32_VALUES.length)] : random.nextInt(73);
                le().putInt(12, count);
                done.add("header: section count -> " + count);
            }
            default -> {
                int at = random.nextInt(8);
                bytes[at] ^= (byte) (1 << random.nextInt(8));
                done.add("header: magic byte " + at + " flipped");
            }
        }
    }

    /** The file cut anywhere, or just before, at or after a section boundary. */
    private void truncate(List<Span> sections, Random random) {
        int to = random.nextBoolean() ? random.nextInt(bytes.length + 1)
                : Math.clamp(sections.get(random.nextInt(sections.size())).header() + random.nextInt(33) - 16, 0, bytes.length);
        bytes = Arrays.copyOf(bytes, to);
        done.add("cut to " + to + " bytes");
    }

    private void append(Random random) {
        int n = 1 + random.nextInt(random.nextBoolean() ? 16 : 5000);
        int at = bytes.length;
        bytes = Arrays.copyOf(bytes, at + n);
        if (random.nextBoolean()) {
            for (int i = at; i < bytes.length; i++) {
                bytes[i] = (byte) random.nextInt(256);
            }
        }
        done.add("grown by " + n + " bytes");
    }

    /** A copy of section {@code s} put before another section (or at the end), the header's count raised most often. */
    private void duplicate(List<Span> sections, Span s, Random random) {
        int at = random.nextInt(sections.size() + 1);
        int where = at == sections.size() ? sections.getLast().end() : sections.get(at).header();
        byte[] copy = Arrays.copyOfRange(bytes, s.header(), s.end());
        bytes = splice(where, 0, copy);
        adjustCount(random, 1);
        done.add("section type %d at %d copied to %d".formatted(s.type(), s.header(), where));
    }

    private void drop(Span s, Random random) {
        bytes = splice(s.header(), s.end() - s.header(), new byte[0]);
        adjustCount(random, -1);
        done.add("section type %d at %d dropped".formatted(s.type(), s.header()));
    }

    /** Two neighbouring sections trade places. */
    private void swap(List<Span> sections, Random random) {
        if (sections.size() < 2) {
            return;
        }
        int i = random.nextInt(sections.size() - 1);
        Span a = sections.get(i);
        Span b = sections.get(i + 1);
        byte[] both = new byte[b.end() - a.header()];
        System.arraycopy(bytes, b.header(), both, 0, b.end() - b.header());
        System.arraycopy(bytes, a.header(), both, b.end() - b.header(), a.end() - a.header());
        System.arraycopy(both, 0, bytes, a.header(), both.length);
        done.add("sections at %d (type %d) and %d (type %d) swapped".formatted(a.header(), a.type(), b.header(), b.type()));
    }

    /** Section {@code s}'s body cut or grown (zeros or random bytes), its length saying so. */
    private void resize(Span s, Random random) {
        int size = switch (random.nextInt(4)) {
            case 0 -> random.nextInt(s.length() + 1);
            case 1 -> s.length() + 1 + random.nextInt(4096);
            default -> Math.max(0, s.length() + random.nextInt(33) - 16);
        };
        byte[] grown = new byte[Math.max(0, size - s.length())];
        if (random.nextBoolean()) {
            random.nextBytes(grown);
        }
        bytes = size <= s.length() ? splice(s.body() + size, s.length() - size, new byte[0]) : splice(s.end(), 0, grown);
        le().putLong(s.header() + 8, size);
        done.add("section type %d at %d resized %d -> %d".formatted(s.type(), s.header(), s.length(), size));
    }

    private void adjustCount(Random random, int by) {
        if (random.nextInt(4) != 0 && bytes.length >= 16) {
            le().putInt(12, le().getInt(12) + by);
        }
    }

    /** The bytes with {@code remove} bytes at {@code at} replaced by {@code insert}. */
    private byte[] splice(int at, int remove, byte[] insert) {
        byte[] out = new byte[bytes.length - remove + insert.length];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(bytes, at + remove, out, at + insert.length, bytes.length - at - remove);
        return out;
    }

    private ByteBuffer le() {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
