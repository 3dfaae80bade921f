package dev.parvis.root.vm;

import dev.parvis.abi.hv.HvConstants;
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
import java.util.List;
import java.util.zip.CRC32C;
import dev.parvis.abi.hv.input.PendingMessages;
import dev.parvis.root.config.VmConfig;
import dev.parvis.vmcore.hostfile.HostFile;
import dev.parvis.vmcore.hostfile.HostFileException;
import dev.parvis.vmbus.server.VmbusStateCodec;

/**
 * The {@code saved.state} file, little-endian: header {@code u64 magic "PRVSSAVE", u32 version, u32
 * section count}, then sections {@code u32 type, u32 reserved, u64 length, body}: META (vm id,
 * reference time, VP count, page count, name), one VP section per VP (index, register count, then
 * {@code u32 name, u32 0, u64 low, u64 high} each), PAGES ({@code u64 gpn, u32 rights, u32 flags}
 * per page, followed by 4096 bytes unless flag ZERO), from version 2 an optional VMBUS section
 * (the root-side VMBus server state, see {@link VmbusStateCodec}), from version 3 a SYNIC
 * section (each VP's SIM and SIEF pages, see {@link #SYNIC}), and last END holding the CRC-32C of
 * every byte before it (no byte follows it). Version 1 and 2 files (no VMBUS or no SYNIC section)
 * are still read. The file is read only as a regular file of bounded size, and every count and
 * length is checked against the file's real length and the VM it belongs to before anything is
 * allocated for it; a short, oversized, inconsistent or corrupt file is a {@link
 * SavedStateException} and is left as it is.
 * Writes are atomic (temporary file, fsync, rename, directory fsync).
 */
final class SavedStateFile {
    static final long MAGIC = 0x4556_4153_5356_5250L; // "PRVSSAVE"
    /**
     * Version 2 added the VMBUS section, version 3 the SYNIC section, version 4 each VP's held messages
     * in it, version 5 the STORAGE section ({@link SavedDiskChannels}), version 6 the ICS section
     * ({@link SavedIcVersions}).
     */
    static final int VERSION = 6;
    static final int OLDEST_READ_VERSION = 1;
    static final int META = 1;
    static final int VP = 2;
    static final int PAGES = 3;
    static final int END = 4;
    /** The VMBUS section body is {@link VmbusStateCodec}'s (versioned on its own: 1 to 3 are read). */
    static final int VMBUS = 5;
    /**
     * SYNIC section body: {@code u32 VP count}, then per VP {@code u32 VP index, u32 flags} (bit 0: SIM
     * page all zero, bit 1: SIEF page all zero, bit 2 (version 4): held messages follow), the 4096-byte
     * SIM and SIEF pages not flagged zero, and with bit 2 {@code u32 length} and that many bytes of
     * held messages (VP state TYPE_PARVIS_PENDING_MESSAGES, checked by {@link PendingMessages#read}).
     */
    static final int SYNIC = 6;
    static final int STORAGE = 7;
    static final int ICS = 8;
    static final int SYNIC_SIM_ZERO = 1;
    static final int SYNIC_SIEF_ZERO = 2;
    static final int SYNIC_PENDING = 4;
    /** A PAGES entry's flag: the page is all zero and its 4096 bytes are left out. */
    static final int FLAG_ZERO = 1;
    static final int PAGE = SavedState.PAGE;
    static final int REGISTER_BYTES = 24;
    static final int MAX_VPS = HvConstants.MAX_VPS_PER_PARTITION;
    static final int MAX_REGISTERS = 1024;
    /** The format keeps RAM in one array: just under 2 GiB of pages. */
    static final int MAX_PAGES = (Integer.MAX_VALUE - 8) / PAGE;

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

    /** The whole file's bytes for {@code s}, ready to write. */
    static ByteBuffer encode(SavedState s) {
        Bodies bodies = Bodies.of(s);
        long size = bodies.fileSize(s);
        if (size > Integer.MAX_VALUE - 8) {
            throw new SavedStateException("saved state of %d pages is larger than this format's 2 GiB".formatted(s.pageCount()));
        }
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(MAGIC).putInt(VERSION).putInt(bodies.sectionCount(s));
        putMeta(b, s, bodies.name());
        putVps(b, s);
        putPages(b, s, bodies.nonZeroPages());
        if (bodies.vmbus() != null) {
            section(b, VMBUS, bodies.vmbus().length);
            b.put(bodies.vmbus());
        }
        if (!s.synic().isEmpty()) {
            section(b, SYNIC, bodies.synicLength());
            putSynic(b, s.synic());
        }
        if (bodies.disks() != null) {
            section(b, STORAGE, bodies.disks().length);
            b.put(bodies.disks());
        }
        if (bodies.ics() != null) {
            section(b, ICS, bodies.ics().length);
            b.put(bodies.ics());
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        section(b, END, 4);
        b.putInt((int) crc.getValue());
        return b.flip();
    }

    /**
     * What the file's size and section count depend on beside {@code s} itself: the encoded name, how
     * many pages are stored (not all zero), the VMBUS body (null if none), the SYNIC body's length (0
     * if none), the STORAGE body and the ICS body (null if none).
     */
    private record Bodies(byte[] name, int nonZeroPages, byte[] vmbus, long synicLength, byte[] disks, byte[] ics) {
        static Bodies of(SavedState s) {
            int nonZero = 0;
            for (int i = 0; i < s.pageCount(); i++) {
                nonZero += isZero(s.memory(), i) ? 0 : 1;
            }
            byte[] name = s.name().getBytes(StandardCharsets.UTF_8);
            byte[] vmbus = s.vmbus() == null ? null : VmbusStateCodec.encode(s.vmbus());
            long synicLength = s.synic().isEmpty() ? 0 : SavedStateFile.synicLength(s.synic());
            byte[] disks = s.diskChannels().isEmpty() ? null : SavedDiskChannels.encode(s.diskChannels());
            byte[] ics = s.icVersions().isEmpty() ? null : SavedIcVersions.encode(s.icVersions());
            return new Bodies(name, nonZero, vmbus, synicLength, disks, ics);
        }

        long fileSize(SavedState s) {
            long size = 16 + 16 + 40L + name.length;
            for (List<VpRegisters.Value> vp : s.vps()) {
                size += 16 + 8 + (long) REGISTER_BYTES * vp.size();
            }
            size += 16 + 4 + 16L * s.pageCount() + (long) PAGE * nonZeroPages + 16 + 4;
            size += vmbus == null ? 0 : 16 + vmbus.length;
            size += s.synic().isEmpty() ? 0 : 16 + synicLength;
            return size + (disks == null ? 0 : 16 + disks.length) + (ics == null ? 0 : 16 + ics.length);
        }

        int sectionCount(SavedState s) {
            return 2 + s.vpCount() + 1 + (vmbus == null ? 0 : 1) + (s.synic().isEmpty() ? 0 : 1) + (disks == null ? 0 : 1)
                    + (ics == null ? 0 : 1);
        }
    }

    private static void putMeta(ByteBuffer b, SavedState s, byte[] name) {
        section(b, META, 40 + name.length);
        b.putLong(s.vmId().getMostSignificantBits()).putLong(s.vmId().getLeastSignificantBits()).putLong(s.referenceTime())
                .putInt(s.vpCount()).putInt(s.pageCount()).putInt(name.length).putInt(0).put(name);
    }

    private static void putVps(ByteBuffer b, SavedState s) {
        for (int v = 0; v < s.vpCount(); v++) {
            List<VpRegisters.Value> regs = s.vps().get(v);
            section(b, VP, 8 + (long) REGISTER_BYTES * regs.size());
            b.putInt(v).putInt(regs.size());
            for (VpRegisters.Value r : regs) {
                b.putInt(r.name()).putInt(0).putLong(r.low()).putLong(r.high());
            }
        }
    }

    private static void putPages(ByteBuffer b, SavedState s, int nonZero) {
        section(b, PAGES, 4 + 16L * s.pageCount() + (long) PAGE * nonZero);
        b.putInt(s.pageCount());
        for (int i = 0; i < s.pageCount(); i++) {
            boolean zero = isZero(s.memory(), i);
            b.putLong(i + 1L).putInt(s.rights()[i + 1]).putInt(zero ? FLAG_ZERO : 0);
            if (!zero) {
                b.put(s.memory(), i * PAGE, PAGE);
            }
        }
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

    /** Reads a saved state's bytes, {@code what} naming them in errors (see {@link SavedStateDecoder}). */
    static SavedState decode(String what, byte[] bytes, Expected expected) {
        return SavedStateDecoder.decode(what, bytes, expected);
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

    private static void section(ByteBuffer b, int type, long length) {
        b.putInt(type).putInt(0).putLong(length);
    }

    private static boolean isZero(byte[] memory, int page) {
        return java.util.Arrays.mismatch(memory, page * PAGE, (page + 1) * PAGE, ZERO_PAGE, 0, PAGE) < 0;
    }

    private static final byte[] ZERO_PAGE = new byte[PAGE];
}
