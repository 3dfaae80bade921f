package dev.parvis.root.vm;

import static dev.parvis.root.vm.SavedStateFile.END;
import static dev.parvis.root.vm.SavedStateFile.FLAG_ZERO;
import static dev.parvis.root.vm.SavedStateFile.ICS;
import static dev.parvis.root.vm.SavedStateFile.MAGIC;
import static dev.parvis.root.vm.SavedStateFile.MAX_PAGES;
import static dev.parvis.root.vm.SavedStateFile.MAX_REGISTERS;
import static dev.parvis.root.vm.SavedStateFile.MAX_VPS;
import static dev.parvis.root.vm.SavedStateFile.META;
import static dev.parvis.root.vm.SavedStateFile.OLDEST_READ_VERSION;
import static dev.parvis.root.vm.SavedStateFile.PAGE;
import static dev.parvis.root.vm.SavedStateFile.PAGES;
import static dev.parvis.root.vm.SavedStateFile.REGISTER_BYTES;
import static dev.parvis.root.vm.SavedStateFile.STORAGE;
import static dev.parvis.root.vm.SavedStateFile.SYNIC;
import static dev.parvis.root.vm.SavedStateFile.SYNIC_PENDING;
import static dev.parvis.root.vm.SavedStateFile.SYNIC_SIEF_ZERO;
import static dev.parvis.root.vm.SavedStateFile.SYNIC_SIM_ZERO;
import static dev.parvis.root.vm.SavedStateFile.VERSION;
import static dev.parvis.root.vm.SavedStateFile.VMBUS;
import static dev.parvis.root.vm.SavedStateFile.VP;

import dev.parvis.abi.boot.BootInfo;
import dev.parvis.abi.boot.BootProtocol;
import dev.parvis.abi.hv.input.PendingMessages;
import dev.parvis.root.storage.DiskChannelState;
import dev.parvis.vmbus.server.VmbusServerState;
import dev.parvis.vmbus.server.VmbusStateCodec;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * One strict reading of a {@code saved.state} file's bytes ({@link SavedStateFile} describes the
 * format): the sections are read in file order, each adding its part to this decoder's fields and
 * reading no byte past its own end, and every count and length is checked against the bytes left in
 * its section and the VM ({@link SavedStateFile.Expected}) before anything is allocated for it. Any fault is a {@link
 * SavedStateException} naming the file and what is wrong. Used once, by one thread.
 */
final class SavedStateDecoder {
    private final String what;
    private final byte[] bytes;
    private final SavedStateFile.Expected expected;
    private final ByteBuffer b;
    private int version;
    private UUID id;
    private String name;
    private long refTime;
    private int vpCount = -1;
    private int pageCount = -1;
    private final List<List<VpRegisters.Value>> vps = new ArrayList<>();
    private int[] rights;
    private byte[] memory;
    private VmbusServerState vmbus;
    private List<VpSynicPages> synic = List.of();
    private List<DiskChannelState> diskChannels = List.of();
    private List<SavedIcVersions.Entry> icVersions = List.of();
    /** The section types read so far: each but VP may appear once, and META must come before those that need it. */
    private final Set<Integer> seen = new HashSet<>();
    /** The section being read: its name, and the offset its body ends at, which no read of it may pass. */
    private String section;
    private int sectionEnd;

    private SavedStateDecoder(String what, byte[] bytes, SavedStateFile.Expected expected) {
        this.what = what;
        this.bytes = bytes;
        this.expected = expected;
        this.b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Reads {@code bytes}, named {@code what} in errors, as the saved state of a VM like {@code expected}. */
    static SavedState decode(String what, byte[] bytes, SavedStateFile.Expected expected) {
        return new SavedStateDecoder(what, bytes, expected).state();
    }

    private SavedState state() {
        int sections = header();
        for (int i = 0; i < sections; i++) {
            section(i);
        }
        requireComplete();
        if (b.hasRemaining()) {
            // Outside every section and the checksum: the file is not the one that was written.
            throw corrupt("%d bytes after END".formatted(b.remaining()));
        }
        requireBootPage();
        try {
            SavedIcVersions.requireOpenChannels(icVersions, vmbus);
        } catch (IllegalArgumentException e) {
            throw corrupt(e.getMessage());
        }
        return new SavedState(id, name, refTime, vps, rights, memory, vmbus, synic, diskChannels, icVersions);
    }

    /**
     * Every part a state needs is there. META is: the sections that may come before it (STORAGE, END,
     * once each, nothing after END) are fewer than the least section count the header may claim.
     */
    private void requireComplete() {
        List<String> missing = new ArrayList<>();
        if (!seen.contains(PAGES)) {
            missing.add("no PAGES section");
        }
        if (vps.size() < vpCount) {
            missing.add("only %d of %d VP sections".formatted(vps.size(), vpCount));
        }
        if (!seen.contains(END)) {
            missing.add("no END section");
        }
        if (!missing.isEmpty()) {
            throw corrupt("incomplete: " + String.join(", ", missing));
        }
    }

    /**
     * The boot page (GPN 2, read-only to the guest) holds the boot information the child was started
     * with: a restore reads it ({@link SavedState#bootInfo}), so a file whose checksum holds but whose
     * boot page does not is refused here, before a partition is built for it.
     */
    private void requireBootPage() {
        try {
            BootInfo.read(MemorySegment.ofArray(memory).asSlice(BootProtocol.BOOT_INFO_GPA - PAGE, PAGE));
        } catch (IllegalArgumentException e) {
            throw corrupt("the boot page (GPN 2) is not one: " + e.getMessage());
        }
    }

    /** The file header: magic and a readable version; returns the section count. */
    private int header() {
        need(16, "header");
        long magic = b.getLong();
        if (magic != MAGIC) {
            throw corrupt("not a Parvis saved state (magic 0x%x)".formatted(magic));
        }
        version = b.getInt();
        if (version < OLDEST_READ_VERSION || version > VERSION) {
            throw corrupt("saved-state format version %d is not supported (this host reads %d to %d)".formatted(version,
                    OLDEST_READ_VERSION, VERSION));
        }
        int sections = b.getInt();
        if (sections < 3 || sections > MAX_VPS + 7) {
            throw corrupt("bad section count " + sections);
        }
        return sections;
    }

    /** Section {@code i}: its header, then its body, which must fill exactly the length the header claims. */
    private void section(int i) {
        need(16, "section header");
        int type = b.getInt();
        int reserved = b.getInt();
        long length = b.getLong();
        if (reserved != 0) {
            throw corrupt("section %d (type %d): reserved field 0x%x".formatted(i, type, reserved));
        }
        if (length < 0 || length > b.remaining()) {
            throw corrupt("section %d (type %d) claims %d bytes, %d remain (truncated?)".formatted(i, type, length, b.remaining()));
        }
        sectionEnd = b.position() + (int) length;
        if (seen.contains(END)) {
            throw corrupt("section %d (type %d) after END".formatted(i, type));
        }
        body(type, length);
        if (b.position() != sectionEnd) {
            throw corrupt("section %d (type %d) is %d bytes, its contents %d".formatted(i, type, length,
                    b.position() - (sectionEnd - length)));
        }
    }

    /** The body of a section of {@code type}, {@code length} bytes ending at {@link #sectionEnd}. */
    private void body(int type, long length) {
        section = sectionName(type);
        if (section == null) {
            throw corrupt("unknown section type " + type);
        }
        if (type != VP && !seen.add(type)) {
            throw corrupt("second %s section".formatted(section));
        }
        switch (type) {
            case META -> meta();
            case VP -> vp(length);
            case PAGES -> pages(length);
            case VMBUS -> vmbus();
            case SYNIC -> synic();
            case STORAGE -> storage(length);
            case ICS -> ics(length);
            case END -> end();
        }
    }

    /** The name of section {@code type}, null if there is no such type. */
    private static String sectionName(int type) {
        return switch (type) {
            case META -> "META";
            case VP -> "VP";
            case PAGES -> "PAGES";
            case VMBUS -> "VMBUS";
            case SYNIC -> "SYNIC";
            case STORAGE -> "STORAGE";
            case ICS -> "ICS";
            case END -> "END";
            default -> null;
        };
    }

    /** Sections that depend on META's counts come after it. */
    private void requireMeta(String section) {
        if (!seen.contains(META)) {
            throw corrupt(section + " before META");
        }
    }

    private void meta() {
        fixedFields(40);
        id = new UUID(b.getLong(), b.getLong());
        refTime = b.getLong();
        vpCount = b.getInt();
        pageCount = b.getInt();
        int nameLength = b.getInt();
        int padding = b.getInt();
        if (padding != 0) {
            throw corrupt("META: padding after the name length is 0x%x, not 0".formatted(padding));
        }
        if (vpCount < 1 || vpCount > MAX_VPS || pageCount < 2 || pageCount > MAX_PAGES || nameLength < 0
                || nameLength > sectionEnd - b.position()) {
            throw corrupt("META out of range: %d VPs, %d pages, name of %d bytes".formatted(vpCount, pageCount, nameLength));
        }
        if (vpCount != expected.vpCount() || pageCount != expected.pageCount()) {
            throw corrupt("META: %d VPs and %d pages, but the VM has %d VPs and %d pages of RAM".formatted(vpCount,
                    pageCount, expected.vpCount(), expected.pageCount()));
        }
        byte[] n = new byte[nameLength];
        b.get(n);
        name = new String(n, StandardCharsets.UTF_8);
    }

    /** The next VP's registers: VP sections come in VP index order. */
    private void vp(long length) {
        requireMeta("VP");
        if (vps.size() == vpCount) {
            throw corrupt("VP section %d, but META says %d VPs".formatted(vps.size(), vpCount));
        }
        fixedFields(8);
        int index = b.getInt();
        int count = b.getInt();
        if (index != vps.size() || count < 0 || count > MAX_REGISTERS || (long) count * REGISTER_BYTES != length - 8) {
            throw corrupt("VP section %d: index %d, %d registers in %d bytes".formatted(vps.size(), index, count, length));
        }
        List<VpRegisters.Value> regs = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            regs.add(register(k));
        }
        vps.add(regs);
    }

    /** Register {@code k} of the VP being read: {@code u32 name, u32 0, u64 low, u64 high}. */
    private VpRegisters.Value register(int k) {
        int reg = b.getInt();
        int padding = b.getInt();
        if (padding != 0) {
            throw corrupt("VP section %d, register %d (0x%x): padding after the name is 0x%x, not 0".formatted(vps.size(), k,
                    reg, padding));
        }
        return new VpRegisters.Value(reg, b.getLong(), b.getLong());
    }

    private void pages(long length) {
        requireMeta("PAGES");
        fixedFields(4);
        int count = b.getInt();
        if (count != pageCount) {
            throw corrupt("PAGES holds %d pages, META says %d".formatted(count, pageCount));
        }
        // Every page has a 16-byte header in the section: check the claim before allocating RAM for it.
        if ((long) count * 16 > sectionEnd - b.position()) {
            throw corrupt("PAGES claims %d pages, but its %d bytes hold at most %d".formatted(count, length,
                    (sectionEnd - b.position()) / 16));
        }
        rights = new int[pageCount + 1];
        memory = new byte[Math.multiplyExact(pageCount, PAGE)];
        for (int p = 0; p < pageCount; p++) {
            page(p);
        }
    }

    /** Page {@code p} (GPN p + 1): its header, then its bytes unless flagged zero. */
    private void page(int p) {
        inside(16, "page header");
        long gpn = b.getLong();
        int right = b.getInt();
        int flags = b.getInt();
        if (gpn != p + 1L || (right & ~0xF) != 0 || (flags & ~FLAG_ZERO) != 0) {
            throw corrupt("page %d: GPN 0x%x, rights 0x%x, flags 0x%x".formatted(p, gpn, right, flags));
        }
        rights[p + 1] = right;
        if ((flags & FLAG_ZERO) == 0) {
            inside(PAGE, "page data");
            b.get(memory, p * PAGE, PAGE);
        }
    }

    /** The VMBUS section body (its own format and checks: {@link VmbusStateCodec}). */
    private void vmbus() {
        if (version < 2) {
            throw corrupt("VMBUS section in a version %d file".formatted(version));
        }
        requireMeta("VMBUS");
        byte[] body = new byte[sectionEnd - b.position()];
        b.get(body);
        try {
            vmbus = VmbusStateCodec.decode(body, pageCount);
        } catch (IllegalArgumentException e) {
            throw corrupt("VMBUS: " + e.getMessage());
        }
    }

    private void synic() {
        if (version < 3) {
            throw corrupt("SYNIC section in a version %d file".formatted(version));
        }
        requireMeta("SYNIC");
        fixedFields(4);
        int count = b.getInt();
        if (count != vpCount) {
            throw corrupt("SYNIC holds the pages of %d VPs, META says %d".formatted(count, vpCount));
        }
        List<VpSynicPages> pages = new ArrayList<>(count);
        for (int vp = 0; vp < count; vp++) {
            pages.add(synicEntry(vp));
        }
        synic = pages;
    }

    /** VP {@code vp}'s SIM and SIEF pages and, from version 4, its held messages. */
    private VpSynicPages synicEntry(int vp) {
        inside(8, "VP header");
        int index = b.getInt();
        int flags = b.getInt();
        int known = SYNIC_SIM_ZERO | SYNIC_SIEF_ZERO | (version >= 4 ? SYNIC_PENDING : 0);
        if (index != vp || (flags & ~known) != 0) {
            throw corrupt("SYNIC entry %d: VP %d, flags 0x%x".formatted(vp, index, flags));
        }
        byte[] sim = synicPage((flags & SYNIC_SIM_ZERO) != 0, "SIM page");
        byte[] sief = synicPage((flags & SYNIC_SIEF_ZERO) != 0, "SIEF page");
        return new VpSynicPages(sim, sief, (flags & SYNIC_PENDING) != 0 ? heldMessages(vp) : new byte[0]);
    }

    /** One VP's held messages: a length within what one GetVpState can carry, and entries that parse. */
    private byte[] heldMessages(int vp) {
        inside(4, "held messages' length");
        int length = b.getInt();
        if (length < PendingMessages.HEADER_SIZE || length > PendingMessages.MAX_PAGES * PAGE) {
            throw corrupt("SYNIC entry %d: %d bytes of held messages".formatted(vp, length));
        }
        inside(length, "held messages");
        byte[] held = new byte[length];
        b.get(held);
        try {
            PendingMessages.read(MemorySegment.ofArray(held));
        } catch (IllegalArgumentException e) {
            throw corrupt("SYNIC entry %d: held messages: %s".formatted(vp, e.getMessage()));
        }
        return held;
    }

    private byte[] synicPage(boolean zero, String part) {
        byte[] page = new byte[PAGE];
        if (!zero) {
            inside(PAGE, part);
            b.get(page);
        }
        return page;
    }

    /**
     * The STORAGE section body (its own format and checks: {@link SavedDiskChannels}), whose {@code
     * length} bytes the file holds: {@link #section} checked that before any body is read.
     */
    private void storage(long length) {
        if (version < 5) {
            throw corrupt("STORAGE section in a version %d file".formatted(version));
        }
        try {
            diskChannels = SavedDiskChannels.decode(b, length);
        } catch (IllegalArgumentException e) {
            throw corrupt(e.getMessage());
        }
    }

    /** The ICS section body ({@link SavedIcVersions}); that each service has an open channel is checked once VMBUS is read too. */
    private void ics(long length) {
        if (version < 6) {
            throw corrupt("ICS section in a version %d file".formatted(version));
        }
        try {
            icVersions = SavedIcVersions.decode(b, length);
        } catch (IllegalArgumentException e) {
            throw corrupt(e.getMessage());
        }
    }

    /** END: the CRC-32C of every byte before END's own header. */
    private void end() {
        fixedFields(4);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, b.position() - 16); // up to END's header, whatever length END claims
        int stored = b.getInt();
        if (stored != (int) crc.getValue()) {
            throw corrupt("checksum mismatch (stored 0x%x, computed 0x%x)".formatted(stored, (int) crc.getValue()));
        }
    }

    /** {@code count} bytes of a file header or section header, which the file must still hold. */
    private void need(int count, String part) {
        if (b.remaining() < count) {
            throw corrupt("truncated in %s at byte %d (%d more needed, %d left)".formatted(part, b.position(), count, b.remaining()));
        }
    }

    /** The section's fixed fields, read first: its body must hold them (not borrow them from the next section). */
    private void fixedFields(int count) {
        if (sectionEnd - b.position() < count) {
            throw corrupt("%s section of %d bytes, %d needed".formatted(section, sectionEnd - b.position(), count));
        }
    }

    /** {@code count} bytes of {@code part} of the section's body, which must end no later than the section. */
    private void inside(int count, String part) {
        if (sectionEnd - b.position() < count) {
            throw corrupt("%s section ends in %s at byte %d (%d more needed, %d left)".formatted(section, part, b.position(), count,
                    sectionEnd - b.position()));
        }
    }

    private SavedStateException corrupt(String reason) {
        return new SavedStateException(what + ": " + reason);
    }
}
