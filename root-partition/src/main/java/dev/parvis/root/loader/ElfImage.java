package dev.parvis.root.loader;

import dev.parvis.vmcore.hostfile.HostFile;
import dev.parvis.vmcore.hostfile.HostFileException;
import dev.parvis.vmcore.hostfile.ParsedHostFiles;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An ELF64 x86-64 executable reduced to what the loader needs: the entry point and the PT_LOAD
 * segments. Every field is checked before use, and every range check compares against what is left
 * of the file or the address space, so no sum can wrap; a malformed image is an
 * {@link InvalidImageException} naming the structure and the field.
 */
public record ElfImage(long entry, List<Segment> segments, byte[] bytes) {
    /** The largest image file the host reads (the SDK's link limit is 64 KiB; guest RAM holds the rest). */
    public static final long MAX_FILE_BYTES = 16L << 20;
    private static final int EHDR_SIZE = 64;
    private static final int PHDR_SIZE = 56;
    private static final int MAX_PROGRAM_HEADERS = 64;
    private static final int PT_LOAD = 1;
    private static final int ET_EXEC = 2;
    private static final int EM_X86_64 = 62;
    private static final int PF_X = 1;
    private static final int PF_W = 2;
    private static final int PF_R = 4;
    private static final ParsedHostFiles<ElfImage> UNCACHED = new ParsedHostFiles<>(MAX_FILE_BYTES, HostFile.Links.FOLLOW,
            ElfImage::parse, 0, 0);

    /** One PT_LOAD segment: file bytes {@code [offset, offset+fileSize)} at {@code vaddr}, zero-filled to {@code memSize}. */
    public record Segment(long vaddr, long memSize, long offset, long fileSize, boolean read, boolean write, boolean execute) {
        /** The first address past the segment; {@link #parse} guarantees it does not wrap. */
        public long end() {
            return vaddr + memSize;
        }
    }

    /**
     * Reads and parses the image at {@code path}: a regular file (a link to one is followed) of at most
     * {@link #MAX_FILE_BYTES}; never a device or a FIFO.
     *
     * @throws InvalidImageException naming the file and what is wrong with it
     */
    public static ElfImage read(Path path) {
        return read(path, UNCACHED);
    }

    /**
     * A reader of guest images for a host that boots the same images again and again: each version
     * of a file is read and parsed once ({@link ParsedHostFiles}; at most 16 images of up to 1 MiB kept).
     */
    public static ParsedHostFiles<ElfImage> cachingReader() {
        return new ParsedHostFiles<>(MAX_FILE_BYTES, HostFile.Links.FOLLOW, ElfImage::parse, 16, 1 << 20);
    }

    /**
     * {@link #read(Path)} through {@code reader}, which may hand back the image it parsed from the
     * same file in the same version.
     *
     * @throws InvalidImageException naming the file and what is wrong with it
     */
    public static ElfImage read(Path path, ParsedHostFiles<ElfImage> reader) {
        try {
            return reader.read(path);
        } catch (HostFileException e) {
            throw new InvalidImageException("guest image " + e.getMessage(), e);
        } catch (InvalidImageException e) {
            throw new InvalidImageException("guest image " + path + ": " + e.getMessage(), e);
        }
    }

    public static ElfImage parse(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        require(bytes.length >= EHDR_SIZE, "ELF header: %d bytes, shorter than the 64-byte ELF64 header", bytes.length);
        require(b.getInt(0) == 0x464C457F, "ELF header: e_ident magic is not \\x7fELF");
        require(bytes[4] == 2, "ELF header: e_ident[EI_CLASS] %d is not ELFCLASS64", bytes[4]);
        require(bytes[5] == 1, "ELF header: e_ident[EI_DATA] %d is not little-endian", bytes[5]);
        require(b.getShort(16) == ET_EXEC, "ELF header: e_type %d is not ET_EXEC", b.getShort(16));
        require(b.getShort(18) == EM_X86_64, "ELF header: e_machine %d is not EM_X86_64", b.getShort(18));
        long entry = b.getLong(24);
        long phoff = b.getLong(32);
        int phentsize = b.getShort(54) & 0xFFFF;
        int phnum = b.getShort(56) & 0xFFFF;
        require(phentsize == PHDR_SIZE, "ELF header: e_phentsize %d is not %d", phentsize, PHDR_SIZE);
        require(phnum > 0 && phnum <= MAX_PROGRAM_HEADERS, "ELF header: e_phnum %d is not 1..%d", phnum, MAX_PROGRAM_HEADERS);
        // Unsigned e_phoff against the file, then the table against what is left after it: nothing is summed.
        require(phoff >= EHDR_SIZE && phoff <= bytes.length, "ELF header: e_phoff 0x%x is outside the %d-byte file",
                phoff, bytes.length);
        require((long) phnum * PHDR_SIZE <= bytes.length - phoff,
                "ELF header: %d program headers of %d bytes at e_phoff 0x%x run past the %d-byte file", phnum, PHDR_SIZE, phoff, bytes.length);
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int at = Math.toIntExact(phoff + (long) i * PHDR_SIZE);
            if (b.getInt(at) == PT_LOAD) {
                segments.add(segment(b, at, i, bytes.length));
            }
        }
        require(!segments.isEmpty(), "program headers: no PT_LOAD segment");
        require(segments.stream().anyMatch(s -> s.execute() && Long.compareUnsigned(entry, s.vaddr()) >= 0
                && Long.compareUnsigned(entry - s.vaddr(), s.memSize()) < 0),
                "ELF header: e_entry 0x%x is not in an executable PT_LOAD segment", entry);
        return new ElfImage(entry, List.copyOf(segments), bytes);
    }

    /** Program header {@code index} at byte {@code at}: every field checked against the file and the address space. */
    private static Segment segment(ByteBuffer b, int at, int index, int fileLength) {
        int flags = b.getInt(at + 4);
        long offset = b.getLong(at + 8);
        long vaddr = b.getLong(at + 16);
        long fileSize = b.getLong(at + 32);
        long memSize = b.getLong(at + 40);
        String where = "program header " + index + " (PT_LOAD)";
        require(Long.compareUnsigned(offset, fileLength) <= 0, "%s: p_offset 0x%x is outside the %d-byte file", where, offset, fileLength);
        require(Long.compareUnsigned(fileSize, fileLength - offset) <= 0,
                "%s: p_filesz 0x%x at p_offset 0x%x runs past the %d-byte file", where, fileSize, offset, fileLength);
        require(Long.compareUnsigned(memSize, fileSize) >= 0, "%s: p_memsz 0x%x is smaller than p_filesz 0x%x", where, memSize, fileSize);
        require(vaddr >= 0, "%s: p_vaddr 0x%x is not a guest-physical address", where, vaddr);
        require(memSize >= 0 && memSize <= Long.MAX_VALUE - vaddr, "%s: p_vaddr 0x%x + p_memsz 0x%x wraps the address space",
                where, vaddr, memSize);
        return new Segment(vaddr, memSize, offset, fileSize, (flags & PF_R) != 0, (flags & PF_W) != 0, (flags & PF_X) != 0);
    }

    public long lowestAddress() {
        return segments.stream().mapToLong(Segment::vaddr).min().orElseThrow();
    }

    public long highestAddress() {
        return segments.stream().mapToLong(Segment::end).max().orElseThrow();
    }

    private static void require(boolean ok, String format, Object... args) {
        if (!ok) {
            throw new InvalidImageException(format.formatted(args));
        }
    }
}
