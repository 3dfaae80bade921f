package dev.parvis.root.vm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32C;
import dev.parvis.abi.hv.input.PendingMessages;
import dev.parvis.root.config.VmConfig;
import dev.parvis.vmcore.hostfile.HostFile;
import dev.parvis.vmcore.hostfile.HostFileException;
import dev.parvis.vmbus.server.VmbusServerState;
import dev.parvis.vmbus.server.VmbusStateCodec;
import java.lang.foreign.MemorySegment;

/**
 * The {@code saved.state} file, little-endian: header {@code u64 magic "PRVSSAVE", u32 version, u32
 * section count}, then sections {@code u32 type, u32 reserved, u64 length, body}: META (vm id,
 * reference time, VP count, page count, name), one VP section per VP (index, register count, then
 * {@code u32 name, u32 0, u64 low, u64 high} each), PAGES ({@code u64 gpn, u32 rights, u32 flags}
 * per page, followed by 4096 bytes unless flag ZERO), from version 2 an optional VMBUS section
 * (the root-side VMBus server state, see {@link VmbusStateCodec}), from version 3 a SYNIC
 * section (each VP's SIM and SIEF pages, see {@link #SYNIC}), and END holding the CRC-32C of every
 * byte before it. Version 1 and 2 files (no VMBUS or no SYNIC section) are still read. The file is
 * read only as a regular file of bounded size, and every count and length is checked against the
 * file's real length and the VM it belongs to before anything is allocated for it; a short,
 * oversized, inconsistent or corrupt file is a {@link SavedStateException} and is left as it is.
 * Writes are atomic (temporary file, fsync, rename, directory fsync).
 */
final class SavedStateFile {
    static final long MAGIC = 0x4556_4153_5356_5250L; // "PRVSSAVE"
    /**
     * Version 2 added the VMBUS section, version 3 the SYNIC section, version 4 each VP's held messages
     * in it, version 5 the STORAGE section ({@link SavedDiskChannels}).
     */
    static final int VERSION = 5;
    static final int OLDEST_READ_VERSION = 1;
    private static final int META = 1;
    private static final int VP = 2;
    private static final int PAGES = 3;
    private static final int END = 4;
    private static final int VMBUS = 5;
    /**
     * SYNIC section body: {@code u32 VP count}, then per VP {@code u32 VP index, u32 flags} (bit 0: SIM
     * page all zero, bit 1: SIEF page all zero, bit 2 (version 4): held messages follow), the 4096-byte
     * SIM and SIEF pages not flagged zero, and with bit 2 {@code u32 length} and that many bytes of
     * held messages (VP state TYPE_PARVIS_PENDING_MESSAGES, checked by {@link PendingMessages#read}).
     */
    private static final int SYNIC = 6;
    private static final int STORAGE = 7;
    private static final int SYNIC_SIM_ZERO = 1;
    private static final int SYNIC_SIEF_ZERO = 2;
    private static final int SYNIC_PENDING = 4;
    /** The VMBUS section body is {@link VmbusStateCodec}'s (versioned on its own: 1 and 2 are read). */
    private static final int FLAG_ZERO = 1;
    private static final int PAGE = SavedState.PAGE;
    private static final int REGISTER_BYTES = 24;
    private static final int MAX_VPS = 64;
    private static final int MAX_REGISTERS = 1024;
    /** The format keeps RAM in one array: just under 2 GiB of pages. */
    private static final int MAX_PAGES = (Integer.MAX_VALUE - 8) / PAGE;

    private SavedStateFile() {}

    static void write(Path file, SavedState s) throws IOException {
        ByteBuffer b = encode(s);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".saved.state.", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException e) {
                // Some file systems cannot fsync a directory; the rename is still atomic.
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static ByteBuffer encode(SavedState s) {
        int nonZero = 0;
        for (int i = 0; i < s.pageCount(); i++) {
            nonZero += isZero(s.memory(), i) ? 0 : 1;
        }
        byte[] name = s.name().getBytes(StandardCharsets.UTF_8);
        long size = 16 + 16 + 40L + name.length;
        for (List<VpRegisters.Value> vp : s.vps()) {
            size += 16 + 8 + (long) REGISTER_BYTES * vp.size();
        }
        size += 16 + 4 + 16L * s.pageCount() + (long) PAGE * nonZero + 16 + 4;
        byte[] vmbus = s.vmbus() == null ? null : VmbusStateCodec.encode(s.vmbus());
        size += vmbus == null ? 0 : 16 + vmbus.length;
        long synicLength = s.synic().isEmpty() ? 0 : synicLength(s.synic());
        size += s.synic().isEmpty() ? 0 : 16 + synicLength;
        byte[] disks = s.diskChannels().isEmpty() ? null : SavedDiskChannels.encode(s.diskChannels());
        size += disks == null ? 0 : 16 + disks.length;
        if (size > Integer.MAX_VALUE - 8) {
            throw new SavedStateException("saved state of %d pages is larger than this format's 2 GiB".formatted(s.pageCount()));
        }
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(MAGIC).putInt(VERSION).putInt(2 + s.vpCount() + 1 + (s.vmbus() == null ? 0 : 1) + (s.synic().isEmpty() ? 0 : 1)
                + (disks == null ? 0 : 1));
        section(b, META, 40 + name.length);
        b.putLong(s.vmId().getMostSignificantBits()).putLong(s.vmId().getLeastSignificantBits()).putLong(s.referenceTime())
                .putInt(s.vpCount()).putInt(s.pageCount()).putInt(name.length).putInt(0).put(name);
        for (int v = 0; v < s.vpCount(); v++) {
            List<VpRegisters.Value> regs = s.vps().get(v);
            section(b, VP, 8 + (long) REGISTER_BYTES * regs.size());
            b.putInt(v).putInt(regs.size());
            for (VpRegisters.Value r : regs) {
                b.putInt(r.name()).putInt(0).putLong(r.low()).putLong(r.high());
            }
        }
        section(b, PAGES, 4 + 16L * s.pageCount() + (long) PAGE * nonZero);
        b.putInt(s.pageCount());
        for (int i = 0; i < s.pageCount(); i++) {
            boolean zero = isZero(s.memory(), i);
            b.putLong(i + 1L).putInt(s.rights()[i + 1]).putInt(zero ? FLAG_ZERO : 0);
            if (!zero) {
                b.put(s.memory(), i * PAGE, PAGE);
            }
        }
        if (vmbus != null) {
            section(b, VMBUS, vmbus.length);
            b.put(vmbus);
        }
        if (!s.synic().isEmpty()) {
            section(b, SYNIC, synicLength);
            putSynic(b, s.synic());
        }
        if (disks != null) {
            section(b, STORAGE, disks.length);
            b.put(disks);
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        section(b, END, 4);
        b.putInt((int) crc.getValue());
        return b.flip();
    }

    /**
     * What a saved state must match before anything is allocated for it: the VM's own RAM (GPN 1 to
     * {@code pageCount}) and VP count, from its configuration (which cannot change while it is Saved).
     */
    record Expected(int pageCount, int vpCount) {
        /** Header, META, every VP section and the VMBUS section of any real VM fit in this beside the pages. */
        static final long ALLOWANCE_BYTES = 16L << 20;

        Expected {
            if (pageCount < 2 || vpCount < 1 || vpCount > MAX_VPS) {
                throw new IllegalArgumentException("%d pages, %d VPs".formatted(pageCount, vpCount));
            }
        }

        static Expected of(VmConfig config) {
            return new Expected(Math.toIntExact(config.memoryMiB() * 256 - 1), Math.max(1, config.vcpuCount()));
        }

        /** The largest file such a VM's saved state can be: every page stored, plus the allowance. */
        long maxFileBytes() {
            return Math.min(HostFile.MAX_BOUND, ALLOWANCE_BYTES + (long) pageCount * (16 + PAGE));
        }
    }

    /**
     * Reads {@code file}: a regular file (never a link, a FIFO or a device) no larger than {@code
     * expected} allows, every count checked against the file's real length and {@code expected}
     * before anything is allocated for it. The file is only read, never changed.
     */
    static SavedState read(Path file, Expected expected) {
        byte[] bytes;
        try {
            bytes = HostFile.read(file, expected.maxFileBytes(), HostFile.Links.REFUSE);
        } catch (HostFileException e) {
            throw new SavedStateException(e.getMessage());
        }
        return decode(file.toString(), bytes, expected);
    }

    static SavedState decode(String what, byte[] bytes, Expected expected) {
        Reader r = new Reader(what, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
        r.need(16, "header");
        long magic = r.b.getLong();
        if (magic != MAGIC) {
            throw r.corrupt("not a Parvis saved state (magic 0x%x)".formatted(magic));
        }
        int version = r.b.getInt();
        if (version < OLDEST_READ_VERSION || version > VERSION) {
            throw r.corrupt("saved-state format version %d is not supported (this host reads %d to %d)".formatted(version,
                    OLDEST_READ_VERSION, VERSION));
        }
        int sections = r.b.getInt();
        if (sections < 3 || sections > MAX_VPS + 6) {
            throw r.corrupt("bad section count " + sections);
        }
        UUID id = null;
        String name = null;
        long refTime = 0;
        int vpCount = -1;
        int pageCount = -1;
        List<List<VpRegisters.Value>> vps = new ArrayList<>();
        int[] rights = null;
        byte[] memory = null;
        VmbusServerState vmbus = null;
        List<VpSynicPages> synic = List.of();
        List<dev.parvis.root.storage.DiskChannelState> diskChannels = List.of();
        boolean ended = false;
        for (int i = 0; i < sections; i++) {
            r.need(16, "section header");
            int type = r.b.getInt();
            int reserved = r.b.getInt();
            long length = r.b.getLong();
            if (reserved != 0) {
                throw r.corrupt("section %d (type %d): reserved field 0x%x".formatted(i, type, reserved));
            }
            if (length < 0 || length > r.b.remaining()) {
                throw r.corrupt("section %d (type %d) claims %d bytes, %d remain (truncated?)".formatted(i, type, length, r.b.remaining()));
            }
            int end = r.b.position() + (int) length;
            if (ended) {
                throw r.corrupt("section %d (type %d) after END".formatted(i, type));
            }
            switch (type) {
                case META -> {
                    r.need(40, "META");
                    id = new UUID(r.b.getLong(), r.b.getLong());
                    refTime = r.b.getLong();
                    vpCount = r.b.getInt();
                    pageCount = r.b.getInt();
                    int nameLength = r.b.getInt();
                    r.b.getInt();
                    if (vpCount < 1 || vpCount > MAX_VPS || pageCount < 2 || pageCount > MAX_PAGES || nameLength < 0
                            || nameLength > end - r.b.position()) {
                        throw r.corrupt("META out of range: %d VPs, %d pages, name of %d bytes".formatted(vpCount, pageCount, nameLength));
                    }
                    if (vpCount != expected.vpCount() || pageCount != expected.pageCount()) {
                        throw r.corrupt("META: %d VPs and %d pages, but the VM has %d VPs and %d pages of RAM".formatted(vpCount,
                                pageCount, expected.vpCount(), expected.pageCount()));
                    }
                    byte[] n = new byte[nameLength];
                    r.b.get(n);
                    name = new String(n, StandardCharsets.UTF_8);
                }
                case VP -> {
                    r.need(8, "VP");
                    int index = r.b.getInt();
                    int count = r.b.getInt();
                    if (index != vps.size() || count < 0 || count > MAX_REGISTERS || (long) count * REGISTER_BYTES != length - 8) {
                        throw r.corrupt("VP section %d: index %d, %d registers in %d bytes".formatted(vps.size(), index, count, length));
                    }
                    List<VpRegisters.Value> regs = new ArrayList<>(count);
                    for (int k = 0; k < count; k++) {
                        int reg = r.b.getInt();
                        r.b.getInt();
                        regs.add(new VpRegisters.Value(reg, r.b.getLong(), r.b.getLong()));
                    }
                    vps.add(regs);
                }
                case PAGES -> {
                    if (pageCount < 0) {
                        throw r.corrupt("PAGES before META");
                    }
                    r.need(4, "PAGES");
                    int count = r.b.getInt();
                    if (count != pageCount) {
                        throw r.corrupt("PAGES holds %d pages, META says %d".formatted(count, pageCount));
                    }
                    // Every page has a 16-byte header in the section: check the claim before allocating RAM for it.
                    if ((long) count * 16 > end - r.b.position()) {
                        throw r.corrupt("PAGES claims %d pages, but its %d bytes hold at most %d".formatted(count, length,
                                (end - r.b.position()) / 16));
                    }
                    rights = new int[pageCount + 1];
                    memory = new byte[Math.multiplyExact(pageCount, PAGE)];
                    for (int p = 0; p < pageCount; p++) {
                        r.need(16, "page header");
                        long gpn = r.b.getLong();
                        int right = r.b.getInt();
                        int flags = r.b.getInt();
                        if (gpn != p + 1L || (right & ~0xF) != 0 || (flags & ~FLAG_ZERO) != 0) {
                            throw r.corrupt("page %d: GPN 0x%x, rights 0x%x, flags 0x%x".formatted(p, gpn, right, flags));
                        }
                        rights[p + 1] = right;
                        if ((flags & FLAG_ZERO) == 0) {
                            r.need(PAGE, "page data");
                            r.b.get(memory, p * PAGE, PAGE);
                        }
                    }
                }
                case VMBUS -> {
                    if (version < 2) {
                        throw r.corrupt("VMBUS section in a version %d file".formatted(version));
                    }
                    if (vmbus != null) {
                        throw r.corrupt("second VMBUS section");
                    }
                    vmbus = getVmbus(r, end, pageCount);
                }
                case SYNIC -> {
                    if (version < 3 || vpCount < 0 || !synic.isEmpty()) {
                        throw r.corrupt("SYNIC section in a version %d file, before META, or twice".formatted(version));
                    }
                    synic = getSynic(r, vpCount, version);
                }
                case STORAGE -> {
                    if (version < 5 || !diskChannels.isEmpty()) {
                        throw r.corrupt("STORAGE section in a version %d file, or twice".formatted(version));
                    }
                    try {
                        diskChannels = SavedDiskChannels.decode(r.b, length);
                    } catch (IllegalArgumentException | java.nio.BufferUnderflowException e) {
                        throw r.corrupt(e.getMessage() == null ? "STORAGE section truncated" : e.getMessage());
                    }
                }
                case END -> {
                    r.need(4, "END");
                    CRC32C crc = new CRC32C();
                    crc.update(bytes, 0, end - 4 - 16);
                    int stored = r.b.getInt();
                    if (stored != (int) crc.getValue()) {
                        throw r.corrupt("checksum mismatch (stored 0x%x, computed 0x%x)".formatted(stored, (int) crc.getValue()));
                    }
                    ended = true;
                }
                default -> throw r.corrupt("unknown section type " + type);
            }
            if (r.b.position() != end) {
                throw r.corrupt("section %d (type %d) is %d bytes, its contents %d".formatted(i, type, length, r.b.position() - (end - length)));
            }
        }
        if (id == null || memory == null || !ended || vps.size() != vpCount) {
            throw r.corrupt("incomplete: META %s, %d of %d VP sections, PAGES %s, END %s".formatted(id != null, vps.size(),
                    vpCount, memory != null, ended));
        }
        return new SavedState(id, name, refTime, vps, rights, memory, vmbus, synic, diskChannels);
    }

    private static long synicLength(List<VpSynicPages> synic) {
        long length = 4;
        for (VpSynicPages p : synic) {
            length += 8 + (isZero(p.sim(), 0) ? 0 : PAGE) + (isZero(p.sief(), 0) ? 0 : PAGE)
                    + (p.pending().length == 0 ? 0 : 4 + p.pending().length);
        }
        return length;
    }

    private static void putSynic(ByteBuffer b, List<VpSynicPages> synic) {
        b.putInt(synic.size());
        for (int vp = 0; vp < synic.size(); vp++) {
            VpSynicPages p = synic.get(vp);
            boolean simZero = isZero(p.sim(), 0);
            boolean siefZero = isZero(p.sief(), 0);
            boolean pending = p.pending().length > 0;
            b.putInt(vp).putInt((simZero ? SYNIC_SIM_ZERO : 0) | (siefZero ? SYNIC_SIEF_ZERO : 0) | (pending ? SYNIC_PENDING : 0));
            if (!simZero) {
                b.put(p.sim());
            }
            if (!siefZero) {
                b.put(p.sief());
            }
            if (pending) {
                b.putInt(p.pending().length).put(p.pending());
            }
        }
    }

    private static List<VpSynicPages> getSynic(Reader r, int vpCount, int version) {
        r.need(4, "SYNIC");
        int count = r.b.getInt();
        if (count != vpCount) {
            throw r.corrupt("SYNIC holds the pages of %d VPs, META says %d".formatted(count, vpCount));
        }
        List<VpSynicPages> pages = new ArrayList<>(count);
        for (int vp = 0; vp < count; vp++) {
            r.need(8, "SYNIC VP header");
            int index = r.b.getInt();
            int flags = r.b.getInt();
            int known = SYNIC_SIM_ZERO | SYNIC_SIEF_ZERO | (version >= 4 ? SYNIC_PENDING : 0);
            if (index != vp || (flags & ~known) != 0) {
                throw r.corrupt("SYNIC entry %d: VP %d, flags 0x%x".formatted(vp, index, flags));
            }
            byte[] sim = synicPage(r, (flags & SYNIC_SIM_ZERO) != 0);
            byte[] sief = synicPage(r, (flags & SYNIC_SIEF_ZERO) != 0);
            pages.add(new VpSynicPages(sim, sief, (flags & SYNIC_PENDING) != 0 ? heldMessages(r, vp) : new byte[0]));
        }
        return pages;
    }

    /** One VP's held messages: a length within what one GetVpState can carry, and entries that parse. */
    private static byte[] heldMessages(Reader r, int vp) {
        r.need(4, "SYNIC held messages");
        int length = r.b.getInt();
        if (length < PendingMessages.HEADER_SIZE || length > PendingMessages.MAX_PAGES * PAGE) {
            throw r.corrupt("SYNIC entry %d: %d bytes of held messages".formatted(vp, length));
        }
        r.need(length, "SYNIC held messages");
        byte[] held = new byte[length];
        r.b.get(held);
        try {
            PendingMessages.read(MemorySegment.ofArray(held));
        } catch (IllegalArgumentException e) {
            throw r.corrupt("SYNIC entry %d: held messages: %s".formatted(vp, e.getMessage()));
        }
        return held;
    }

    private static byte[] synicPage(Reader r, boolean zero) {
        byte[] page = new byte[PAGE];
        if (!zero) {
            r.need(PAGE, "SYNIC page");
            r.b.get(page);
        }
        return page;
    }

    /** The VMBUS section body (its own format and checks: {@link VmbusStateCodec}). */
    private static VmbusServerState getVmbus(Reader r, int end, int pageCount) {
        if (pageCount < 0) {
            throw r.corrupt("VMBUS before META");
        }
        byte[] body = new byte[end - r.b.position()];
        r.b.get(body);
        try {
            return VmbusStateCodec.decode(body, pageCount);
        } catch (IllegalArgumentException e) {
            throw r.corrupt("VMBUS: " + e.getMessage());
        }
    }

    private static void section(ByteBuffer b, int type, long length) {
        b.putInt(type).putInt(0).putLong(length);
    }

    private static boolean isZero(byte[] memory, int page) {
        return java.util.Arrays.mismatch(memory, page * PAGE, (page + 1) * PAGE, ZERO_PAGE, 0, PAGE) < 0;
    }

    private static final byte[] ZERO_PAGE = new byte[PAGE];

    private record Reader(String what, ByteBuffer b) {
        void need(int bytes, String part) {
            if (b.remaining() < bytes) {
                throw corrupt("truncated in %s at byte %d (%d more needed, %d left)".formatted(part, b.position(), bytes, b.remaining()));
            }
        }

        SavedStateException corrupt(String reason) {
            return new SavedStateException(what + ": " + reason);
        }
    }
}
