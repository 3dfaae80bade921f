package dev.parvis.root.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * An ELF64 x86-64 executable reduced to what the loader needs: the entry point and the PT_LOAD
 * segments. Every field is checked before use; a malformed image is an {@link InvalidImageException}.
 */
public record ElfImage(long entry, List<Segment> segments, byte[] bytes) {
    private static final int PT_LOAD = 1;
    private static final int ET_EXEC = 2;
    private static final int EM_X86_64 = 62;
    private static final int PF_X = 1;
    private static final int PF_W = 2;
    private static final int PF_R = 4;

    /** One PT_LOAD segment: file bytes {@code [offset, offset+fileSize)} at {@code vaddr}, zero-filled to {@code memSize}. */
    public record Segment(long vaddr, long memSize, long offset, long fileSize, boolean read, boolean write, boolean execute) {
        public long end() {
            return vaddr + memSize;
        }
    }

    public static ElfImage parse(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        require(bytes.length >= 64, "shorter than an ELF header");
        require(b.getInt(0) == 0x464C457F, "not an ELF file");
        require(bytes[4] == 2 && bytes[5] == 1, "not ELF64 little-endian");
        require(b.getShort(16) == ET_EXEC, "not an executable (ET_EXEC)");
        require(b.getShort(18) == EM_X86_64, "not an x86-64 image");
        long entry = b.getLong(24);
        long phoff = b.getLong(32);
        int phentsize = b.getShort(54) & 0xFFFF;
        int phnum = b.getShort(56) & 0xFFFF;
        require(phentsize == 56 && phnum > 0 && phnum <= 64, "bad program header table");
        require(phoff > 0 && phoff + (long) phnum * phentsize <= bytes.length, "program headers outside the file");
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int at = (int) (phoff + (long) i * phentsize);
            if (b.getInt(at) != PT_LOAD) {
                continue;
            }
            int flags = b.getInt(at + 4);
            Segment s = new Segment(b.getLong(at + 16), b.getLong(at + 40), b.getLong(at + 8), b.getLong(at + 32),
                    (flags & PF_R) != 0, (flags & PF_W) != 0, (flags & PF_X) != 0);
            require(s.fileSize() >= 0 && s.memSize() >= s.fileSize() && s.vaddr() >= 0 && s.end() >= s.vaddr(), "bad segment sizes");
            require(s.offset() >= 0 && s.offset() + s.fileSize() <= bytes.length, "segment data outside the file");
            segments.add(s);
        }
        require(!segments.isEmpty(), "no PT_LOAD segment");
        require(segments.stream().anyMatch(s -> s.execute() && entry >= s.vaddr() && entry < s.end()), "entry point not in an executable segment");
        return new ElfImage(entry, List.copyOf(segments), bytes);
    }

    public long lowestAddress() {
        return segments.stream().mapToLong(Segment::vaddr).min().orElseThrow();
    }

    public long highestAddress() {
        return segments.stream().mapToLong(Segment::end).max().orElseThrow();
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new InvalidImageException(what);
        }
    }
}
