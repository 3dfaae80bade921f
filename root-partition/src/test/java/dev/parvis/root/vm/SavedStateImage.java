package dev.parvis.root.vm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32C;

/**
 * A {@code saved.state} file split into its header fields and sections, so a test can edit one
 * field, section length or section order and write the file back with END's CRC-32C recomputed
 * (so the decoder gets past the checksum to the check the edit is aimed at). Edits return copies.
 */
record SavedStateImage(long magic, int version, int sectionCount, List<Section> sections) {
    SavedStateImage {
        sections = List.copyOf(sections);
    }

    /** One section: header fields as stored ({@code length} may disagree with {@code body}) and its body. */
    record Section(int type, int reserved, long length, byte[] body) {
        Section withInt(int offset, int value) {
            byte[] copy = body.clone();
            ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, value);
            return new Section(type, reserved, length, copy);
        }

        Section withLong(int offset, long value) {
            byte[] copy = body.clone();
            ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putLong(offset, value);
            return new Section(type, reserved, length, copy);
        }

        Section withType(int newType) {
            return new Section(newType, reserved, length, body);
        }

        Section withReserved(int value) {
            return new Section(type, value, length, body);
        }

        /** The same body under a header claiming {@code claimed} bytes. */
        Section withLength(long claimed) {
            return new Section(type, reserved, claimed, body);
        }

        /** The body resized to {@code size} bytes (cut, or zero-padded), with a length that says so. */
        Section resized(int size) {
            return new Section(type, reserved, size, Arrays.copyOf(body, size));
        }
    }

    static SavedStateImage parse(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        long magic = b.getLong();
        int version = b.getInt();
        int count = b.getInt();
        List<Section> sections = new ArrayList<>();
        while (b.hasRemaining()) {
            int type = b.getInt();
            int reserved = b.getInt();
            long length = b.getLong();
            byte[] body = new byte[(int) length];
            b.get(body);
            sections.add(new Section(type, reserved, length, body));
        }
        return new SavedStateImage(magic, version, count, sections);
    }

    Section section(int i) {
        return sections.get(i);
    }

    /** The index of the first section of {@code type}. */
    int indexOf(int type) {
        for (int i = 0; i < sections.size(); i++) {
            if (sections.get(i).type() == type) {
                return i;
            }
        }
        throw new IllegalArgumentException("no section of type " + type);
    }

    SavedStateImage withMagic(long value) {
        return new SavedStateImage(value, version, sectionCount, sections);
    }

    SavedStateImage withVersion(int value) {
        return new SavedStateImage(magic, value, sectionCount, sections);
    }

    SavedStateImage withSectionCount(int value) {
        return new SavedStateImage(magic, version, value, sections);
    }

    SavedStateImage with(int i, UnaryOperator<Section> edit) {
        List<Section> list = new ArrayList<>(sections);
        list.set(i, edit.apply(list.get(i)));
        return new SavedStateImage(magic, version, sectionCount, list);
    }

    /** {@code section} inserted at {@code i}, the header's count raised to match. */
    SavedStateImage inserting(int i, Section section) {
        List<Section> list = new ArrayList<>(sections);
        list.add(i, section);
        return new SavedStateImage(magic, version, sectionCount + 1, list);
    }

    /** Section {@code i} left out, the header's count lowered to match. */
    SavedStateImage removing(int i) {
        List<Section> list = new ArrayList<>(sections);
        list.remove(i);
        return new SavedStateImage(magic, version, sectionCount - 1, list);
    }

    /** Section {@code from} moved to index {@code to} (the count unchanged). */
    SavedStateImage moving(int from, int to) {
        List<Section> list = new ArrayList<>(sections);
        list.add(to, list.remove(from));
        return new SavedStateImage(magic, version, sectionCount, list);
    }

    /** The file ending inside section {@code i}: its first {@code bodyBytes} body bytes, its length saying so. */
    SavedStateImage endingInside(int i, int bodyBytes) {
        List<Section> list = new ArrayList<>(sections.subList(0, i));
        list.add(sections.get(i).resized(bodyBytes));
        return new SavedStateImage(magic, version, sectionCount, list);
    }

    /** Byte offset of section {@code i}'s body in {@link #bytes()}. */
    int bodyOffset(int i) {
        int at = 16;
        for (int k = 0; k < i; k++) {
            at += 16 + sections.get(k).body().length;
        }
        return at + 16;
    }

    /** The file, each END section holding the CRC-32C of every byte before its header (when its body has room). */
    byte[] bytes() {
        ByteBuffer b = ByteBuffer.allocate(bodyOffset(sections.size()) - 16).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(magic).putInt(version).putInt(sectionCount);
        for (Section s : sections) {
            byte[] body = s.body();
            if (s.type() == SavedStateFile.END && body.length >= 4) {
                CRC32C crc = new CRC32C();
                crc.update(b.array(), 0, b.position());
                body = s.withInt(0, (int) crc.getValue()).body();
            }
            b.putInt(s.type()).putInt(s.reserved()).putLong(s.length()).put(body);
        }
        return b.array();
    }
}
