package dev.parvis.root.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.parvis.abi.boot.BootInfo;
import dev.parvis.abi.hv.input.PendingMessages;
import dev.parvis.devices.storvsp.SavedChannel;
import dev.parvis.root.storage.DiskAttachment;
import dev.parvis.root.storage.DiskChannelState;
import dev.parvis.vmbus.server.VmbusStateCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A saved.state named by a VM's directory is hostile input: each check of {@link SavedStateDecoder}
 * is tripped by the smallest edit of a valid file with every section (END's checksum recomputed, so
 * the decoder reaches the check), and refuses it with its own exception and reason, never by
 * reading past the bytes it was given.
 */
class SavedStateRefusalsTest {
    private static final SavedStateFile.Expected EXPECTED = new SavedStateFile.Expected(8, 2);
    /** Where each section of {@link #complete()} lies: META, 2 VPs, PAGES, VMBUS, SYNIC, STORAGE, END. */
    private static final int META = 0, VP0 = 1, VP1 = 2, PAGES = 3, VMBUS = 4, SYNIC = 5, STORAGE = 6, END = 7;
    private static final SavedStateImage VALID = SavedStateImage.parse(bytes(SavedStateFile.encode(complete())));
    /** PAGES body: u32 count, then page 0 (GPN 1, all zero: a header only), page 1 (GPN 2: header and data). */
    private static final int PAGE0_GPN = 4, PAGE0_RIGHTS = 12, PAGE0_FLAGS = 16, PAGE1_DATA = 36;
    /** SYNIC body: u32 count, VP 0's index and flags, its SIM and SIEF pages, its held messages' length and bytes. */
    private static final int SYNIC_VP0 = 4, SYNIC_FLAGS0 = 8, SYNIC_SIM0 = 12, SYNIC_HELD_LENGTH0 = 12 + 2 * 4096,
            SYNIC_HELD0 = SYNIC_HELD_LENGTH0 + 4;

    /** {@link #VALID} with a version 1 VMBUS body ({@link VmbusVersion1Body#sample}) in place of its own. */
    private static final SavedStateImage VMBUS_V1 = VALID.with(VMBUS, s -> {
        byte[] body = VmbusVersion1Body.of(VmbusVersion1Body.sample());
        return new SavedStateImage.Section(s.type(), 0, body.length, body);
    });
    /** Version 1 VMBUS body: 32-byte header, 2 offers of 40 bytes, GPADL 0x20 (2 PFNs), GPADL 0x21 (1 PFN), channel of relid 1. */
    private static final int V1_GPADL0_RELID = 32 + 2 * 40 + 4, V1_CHANNEL0_RELID = 32 + 2 * 40 + (24 + 16) + (24 + 8);

    /**
     * The sample VM of {@link SavedStateFileTest} with VMBus state, SIM/SIEF pages, held messages and a
     * disk channel (the ICS section's refusals are {@link SavedIcVersionsTest}'s).
     */
    static SavedState complete() {
        SavedState s = SavedStateFileTest.withSynicPages();
        List<DiskChannelState> disks = List.of(new DiskChannelState(0, new SavedChannel(1, SavedChannel.READY, 0x0602)));
        return new SavedState(s.vmId(), s.name(), s.referenceTime(), s.vps(), s.rights(), s.memory(),
                SavedStateFileTest.withVmbus().vmbus(), s.synic(), disks);
    }

    /** One malformed file, named for the structure and field it breaks, and the reason it must be refused with. */
    record Refusal(String name, byte[] file, String reason) {
        static Refusal of(String name, SavedStateImage image, String reason) {
            return new Refusal(name, image.bytes(), reason);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    @Test
    void theUneditedFileHasEverySectionAndReads() {
        assertEquals(List.of(SavedStateFile.META, SavedStateFile.VP, SavedStateFile.VP, SavedStateFile.PAGES, SavedStateFile.VMBUS,
                SavedStateFile.SYNIC, SavedStateFile.STORAGE, SavedStateFile.END), VALID.sections().stream().map(s -> s.type()).toList());
        SavedState back = SavedStateFile.decode("valid", VALID.bytes(), EXPECTED);
        assertNotNull(back.vmbus());
        assertEquals(2, back.synic().size());
        assertEquals(complete().diskChannels(), back.diskChannels());
        assertEquals(VmbusVersion1Body.sample(), SavedStateFile.decode("v1", VMBUS_V1.bytes(), EXPECTED).vmbus(),
                "the version 1 VMBUS body reads as the state it was made of");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void eachMalformedFileIsRefusedByTheDecoderNamingWhatIsWrong(Refusal r) {
        SavedStateException e = assertThrows(SavedStateException.class, () -> SavedStateFile.decode("f", r.file(), EXPECTED),
                "refused by the decoder's own check, not by reading past the bytes (IndexOutOfBounds, BufferUnderflow)");
        assertEquals("f: " + r.reason(), e.getMessage());
    }

    static Stream<Refusal> refusals() {
        return Stream.of(header(), sections(), meta(), vps(), pages(), vmbus(), vmbusVersion1(), synic(), storage(), end(), incomplete())
                .flatMap(List::stream);
    }

    private static List<Refusal> header() {
        int length = VALID.bytes().length;
        return List.of(
                new Refusal("header: file shorter than 16 bytes", java.util.Arrays.copyOf(VALID.bytes(), 15),
                        "truncated in header at byte 0 (16 more needed, 15 left)"),
                Refusal.of("header: magic", VALID.withMagic(SavedStateFile.MAGIC + 1),
                        "not a Parvis saved state (magic 0x4556415353565251)"),
                Refusal.of("header: version 0", VALID.withVersion(0),
                        "saved-state format version 0 is not supported (this host reads 1 to 6)"),
                Refusal.of("header: version newer than this host", VALID.withVersion(7),
                        "saved-state format version 7 is not supported (this host reads 1 to 6)"),
                Refusal.of("header: section count below 3", VALID.withSectionCount(2), "bad section count 2"),
                Refusal.of("header: section count above 64 VPs + 7", VALID.withSectionCount(72), "bad section count 72"),
                Refusal.of("header: section count beyond the sections present", VALID.withSectionCount(9),
                        "truncated in section header at byte %d (16 more needed, 0 left)".formatted(length)));
    }

    private static List<Refusal> sections() {
        int length = VALID.bytes().length;
        int synic = VALID.section(SYNIC).body().length;
        return List.of(
                Refusal.of("section header: reserved field", VALID.with(VP1, s -> s.withReserved(1)),
                        "section 2 (type 2): reserved field 0x1"),
                Refusal.of("section header: length past the end of the file", VALID.with(END, s -> s.withLength(5)),
                        "section 7 (type 4) claims 5 bytes, 4 remain (truncated?)"),
                Refusal.of("section header: negative length", VALID.with(META, s -> s.withLength(-1)),
                        "section 0 (type 1) claims -1 bytes, %d remain (truncated?)".formatted(length - 32)),
                Refusal.of("section header: unknown type", VALID.with(STORAGE, s -> s.withType(9)), "unknown section type 9"),
                Refusal.of("section after END", VALID.inserting(END + 1, VALID.section(STORAGE)), "section 8 (type 7) after END"),
                Refusal.of("a second META section", VALID.inserting(META + 1, VALID.section(META)), "second META section"),
                Refusal.of("a second PAGES section", VALID.inserting(PAGES + 1, VALID.section(PAGES)), "second PAGES section"),
                Refusal.of("section contents short of its length (META padded)", VALID.with(META, s -> s.resized(53)),
                        "section 0 (type 1) is 53 bytes, its contents 49"),
                Refusal.of("section contents past its length (SYNIC length 4 short)", VALID.with(SYNIC, s -> s.withLength(synic - 4)),
                        "SYNIC section ends in VP header at byte %d (8 more needed, 4 left)".formatted(VALID.bodyOffset(SYNIC) + synic - 8)));
    }

    private static List<Refusal> meta() {
        return List.of(
                Refusal.of("META: shorter than its fixed fields, VP sections after it", VALID.with(META, s -> s.resized(0)),
                        "META section of 0 bytes, 40 needed"),
                Refusal.of("META: cut in its fixed fields at the end of the file", VALID.endingInside(META, 39),
                        "META section of 39 bytes, 40 needed"),
                Refusal.of("META: VP count 0", VALID.with(META, s -> s.withInt(24, 0)), "META out of range: 0 VPs, 8 pages, name of 9 bytes"),
                Refusal.of("META: VP count 65", VALID.with(META, s -> s.withInt(24, 65)), "META out of range: 65 VPs, 8 pages, name of 9 bytes"),
                Refusal.of("META: page count 1", VALID.with(META, s -> s.withInt(28, 1)), "META out of range: 2 VPs, 1 pages, name of 9 bytes"),
                Refusal.of("META: page count above 2 GiB", VALID.with(META, s -> s.withInt(28, SavedStateFile.MAX_PAGES + 1)),
                        "META out of range: 2 VPs, 524288 pages, name of 9 bytes"),
                Refusal.of("META: negative name length", VALID.with(META, s -> s.withInt(32, -1)),
                        "META out of range: 2 VPs, 8 pages, name of -1 bytes"),
                Refusal.of("META: name longer than the section", VALID.with(META, s -> s.withInt(32, 10)),
                        "META out of range: 2 VPs, 8 pages, name of 10 bytes"),
                Refusal.of("META: padding after the name length", VALID.with(META, s -> s.withInt(36, 1)),
                        "META: padding after the name length is 0x1, not 0"),
                Refusal.of("META: VP count other than the VM's", VALID.with(META, s -> s.withInt(24, 1)),
                        "META: 1 VPs and 8 pages, but the VM has 2 VPs and 8 pages of RAM"),
                Refusal.of("META: page count other than the VM's", VALID.with(META, s -> s.withInt(28, 9)),
                        "META: 2 VPs and 9 pages, but the VM has 2 VPs and 8 pages of RAM"));
    }

    private static List<Refusal> vps() {
        int registers = SavedStateFile.MAX_REGISTERS + 1;
        return List.of(
                Refusal.of("VP: before META", VALID.moving(VP0, META), "VP before META"),
                Refusal.of("VP: one more than META's count", VALID.inserting(VP1 + 1, VALID.section(VP1).withInt(0, 2)),
                        "VP section 2, but META says 2 VPs"),
                Refusal.of("VP: shorter than its index and count", VALID.with(VP1, s -> s.resized(4)), "VP section of 4 bytes, 8 needed"),
                Refusal.of("VP: index out of order", VALID.with(VP0, s -> s.withInt(0, 1)), "VP section 0: index 1, 2 registers in 56 bytes"),
                Refusal.of("VP: register count other than its length holds", VALID.with(VP0, s -> s.withInt(4, 3)),
                        "VP section 0: index 0, 3 registers in 56 bytes"),
                Refusal.of("VP register: padding after its name", VALID.with(VP0, s -> s.withInt(8 + 24 + 4, 0x80)),
                        "VP section 0, register 1 (0x60001): padding after the name is 0x80, not 0"),
                Refusal.of("VP: negative register count", VALID.with(VP1, s -> s.withInt(4, -1)),
                        "VP section 1: index 1, -1 registers in 8 bytes"),
                Refusal.of("VP: register count above 1024", VALID.with(VP1, s -> s.resized(8 + 24 * registers).withInt(4, registers)),
                        "VP section 1: index 1, 1025 registers in %d bytes".formatted(8 + 24 * registers)));
    }

    private static List<Refusal> pages() {
        int at = VALID.bodyOffset(PAGES);
        return List.of(
                Refusal.of("PAGES: before META", VALID.moving(PAGES, META), "PAGES before META"),
                Refusal.of("PAGES: shorter than its count", VALID.with(PAGES, s -> s.resized(2)), "PAGES section of 2 bytes, 4 needed"),
                Refusal.of("PAGES: count other than META's", VALID.with(PAGES, s -> s.withInt(0, 7)), "PAGES holds 7 pages, META says 8"),
                Refusal.of("PAGES: count beyond what its length holds", VALID.with(PAGES, s -> s.resized(4 + 16 * 7)),
                        "PAGES claims 8 pages, but its 116 bytes hold at most 7"),
                Refusal.of("PAGES page header: GPN", VALID.with(PAGES, s -> s.withLong(PAGE0_GPN, 2)), "page 0: GPN 0x2, rights 0x5, flags 0x1"),
                Refusal.of("PAGES page header: rights beyond 4 bits", VALID.with(PAGES, s -> s.withInt(PAGE0_RIGHTS, 0x15)),
                        "page 0: GPN 0x1, rights 0x15, flags 0x1"),
                Refusal.of("PAGES page header: unknown flag", VALID.with(PAGES, s -> s.withInt(PAGE0_FLAGS, 3)),
                        "page 0: GPN 0x1, rights 0x5, flags 0x3"),
                Refusal.of("PAGES page header: past the section's end", VALID.with(PAGES, s -> s.resized(4 + 16 + 4112 + 16 * 5 + 8)),
                        "PAGES section ends in page header at byte %d (16 more needed, 8 left)".formatted(at + 4212)),
                Refusal.of("PAGES page data: past the section's end", VALID.with(PAGES, s -> s.resized(PAGE1_DATA + 100)),
                        "PAGES section ends in page data at byte %d (4096 more needed, 100 left)".formatted(at + PAGE1_DATA)),
                Refusal.of("PAGES page data: cut at the end of the file", VALID.endingInside(PAGES, PAGE1_DATA + 100),
                        "PAGES section ends in page data at byte %d (4096 more needed, 100 left)".formatted(at + PAGE1_DATA)),
                Refusal.of("PAGES page data: the boot page's magic (GPN 2)", VALID.with(PAGES, s -> s.withLong(PAGE1_DATA, 0x1234)),
                        "the boot page (GPN 2) is not one: boot info magic 0x0000000000001234, expected 0x%016X"
                                .formatted(BootInfo.MAGIC)),
                Refusal.of("PAGES page data: the boot page's version (GPN 2)", VALID.with(PAGES, s -> s.withInt(PAGE1_DATA + 8, 9)),
                        "the boot page (GPN 2) is not one: unsupported boot info version 9"));
    }

    private static List<Refusal> vmbus() {
        return List.of(
                Refusal.of("VMBUS: in a version 1 file", VALID.withVersion(1), "VMBUS section in a version 1 file"),
                Refusal.of("VMBUS: a second section", VALID.inserting(VMBUS + 1, VALID.section(VMBUS)), "second VMBUS section"),
                Refusal.of("VMBUS: before META", VALID.moving(VMBUS, META), "VMBUS before META"),
                Refusal.of("VMBUS: body refused by its codec (version 9)", VALID.with(VMBUS, s -> s.withInt(0, 9)),
                        "VMBUS: VMBUS section version 9 is not supported (this host reads 1 to %d)".formatted(VmbusStateCodec.VERSION)));
    }

    /** A version 1 body's relids are checked as version 2's are, so what it reads can be written again. */
    private static List<Refusal> vmbusVersion1() {
        return List.of(
                Refusal.of("VMBUS version 1: GPADL relid beyond the last channel", VMBUS_V1.with(VMBUS, s -> s.withInt(V1_GPADL0_RELID, 2048)),
                        "VMBUS: GPADL relid 2048 outside 1..2047"),
                Refusal.of("VMBUS version 1: a channel of a relid not offered", VMBUS_V1.with(VMBUS, s -> s.withInt(V1_CHANNEL0_RELID, 3)),
                        "VMBUS: channel relid 3 is not offered"));
    }

    private static List<Refusal> synic() {
        int at = VALID.bodyOffset(SYNIC);
        int held = VALID.section(SYNIC).body().length - SYNIC_HELD0 - 8; // 8: VP 1's index and flags
        return List.of(
                Refusal.of("SYNIC: in a version 2 file", VALID.withVersion(2), "SYNIC section in a version 2 file"),
                Refusal.of("SYNIC: before META", VALID.moving(SYNIC, META), "SYNIC before META"),
                Refusal.of("SYNIC: a second section", VALID.inserting(SYNIC + 1, VALID.section(SYNIC)), "second SYNIC section"),
                Refusal.of("SYNIC: shorter than its count", VALID.with(SYNIC, s -> s.resized(2)), "SYNIC section of 2 bytes, 4 needed"),
                Refusal.of("SYNIC: VP count other than META's", VALID.with(SYNIC, s -> s.withInt(0, 1)), "SYNIC holds the pages of 1 VPs, META says 2"),
                Refusal.of("SYNIC entry: header past the section's end", VALID.with(SYNIC, s -> s.resized(SYNIC_FLAGS0)),
                        "SYNIC section ends in VP header at byte %d (8 more needed, 4 left)".formatted(at + SYNIC_VP0)),
                Refusal.of("SYNIC entry: VP index", VALID.with(SYNIC, s -> s.withInt(SYNIC_VP0, 1)), "SYNIC entry 0: VP 1, flags 0x4"),
                Refusal.of("SYNIC entry: unknown flag", VALID.with(SYNIC, s -> s.withInt(SYNIC_FLAGS0, 0xC)), "SYNIC entry 0: VP 0, flags 0xc"),
                Refusal.of("SYNIC entry: held-messages flag in a version 3 file", VALID.withVersion(3), "SYNIC entry 0: VP 0, flags 0x4"),
                Refusal.of("SYNIC entry: SIM page past the section's end", VALID.with(SYNIC, s -> s.resized(SYNIC_SIM0 + 10)),
                        "SYNIC section ends in SIM page at byte %d (4096 more needed, 10 left)".formatted(at + SYNIC_SIM0)),
                Refusal.of("SYNIC entry: SIEF page past the section's end", VALID.with(SYNIC, s -> s.resized(SYNIC_SIM0 + 4096 + 10)),
                        "SYNIC section ends in SIEF page at byte %d (4096 more needed, 10 left)".formatted(at + SYNIC_SIM0 + 4096)),
                Refusal.of("SYNIC held messages: length past the section's end", VALID.with(SYNIC, s -> s.resized(SYNIC_HELD_LENGTH0 + 2)),
                        "SYNIC section ends in held messages' length at byte %d (4 more needed, 2 left)".formatted(at + SYNIC_HELD_LENGTH0)),
                Refusal.of("SYNIC held messages: shorter than their header", VALID.with(SYNIC, s -> s.withInt(SYNIC_HELD_LENGTH0, 15)),
                        "SYNIC entry 0: 15 bytes of held messages"),
                Refusal.of("SYNIC held messages: longer than 16 pages", VALID.with(SYNIC, s -> s.withInt(SYNIC_HELD_LENGTH0, 16 * 4096 + 1)),
                        "SYNIC entry 0: 65537 bytes of held messages"),
                Refusal.of("SYNIC held messages: bytes past the section's end", VALID.with(SYNIC, s -> s.resized(SYNIC_HELD0 + 10)),
                        "SYNIC section ends in held messages at byte %d (%d more needed, 10 left)".formatted(at + SYNIC_HELD0, held)),
                Refusal.of("SYNIC held messages: entry refused by PendingMessages (kind 5)",
                        VALID.with(SYNIC, s -> s.withInt(SYNIC_HELD0 + PendingMessages.HEADER_SIZE, 5)),
                        "SYNIC entry 0: held messages: entry 0: kind 5, SINT 1"));
    }

    private static List<Refusal> storage() {
        SavedStateImage.Section noChannels = VALID.section(STORAGE).resized(4).withInt(0, 0);
        return List.of(
                Refusal.of("STORAGE: in a version 4 file", VALID.withVersion(4), "STORAGE section in a version 4 file"),
                Refusal.of("STORAGE: a second section", VALID.inserting(STORAGE + 1, VALID.section(STORAGE)), "second STORAGE section"),
                Refusal.of("STORAGE: a second section after an empty first one", VALID.inserting(STORAGE, noChannels),
                        "second STORAGE section"),
                Refusal.of("STORAGE: shorter than its count", VALID.with(STORAGE, s -> s.resized(2)), "STORAGE section of 2 bytes, 4 needed"),
                Refusal.of("STORAGE: channel count other than its length holds", VALID.with(STORAGE, s -> s.withInt(0, 2)),
                        "STORAGE section: 2 channels in 20 bytes"),
                Refusal.of("STORAGE: negative channel count", VALID.with(STORAGE, s -> s.withInt(0, -1)), "STORAGE section: -1 channels in 20 bytes"),
                Refusal.of("STORAGE: channel count above 256", VALID.with(STORAGE, s -> s.resized(4 + 16 * 257).withInt(0, 257)),
                        "STORAGE section: 257 channels in 4116 bytes"),
                Refusal.of("STORAGE channel: controller out of range", VALID.with(STORAGE, s -> s.withInt(4, DiskAttachment.MAX_CONTROLLERS)),
                        "STORAGE channel 1: controller 4 is outside 0-3"),
                Refusal.of("STORAGE channel: initialization phase", VALID.with(STORAGE, s -> s.withInt(12, 3)),
                        "STORAGE channel 1: initialization phase 3 is not 0-2"),
                Refusal.of("STORAGE channel: no protocol version when ready", VALID.with(STORAGE, s -> s.withInt(16, 0)),
                        "STORAGE channel 1: protocol version 0x0 in phase 2"));
    }

    private static List<Refusal> end() {
        byte[] flipped = VALID.bytes();
        int crcAt = flipped.length - 4;
        flipped[VALID.bodyOffset(PAGES) + PAGE1_DATA + 17] ^= 1; // the boot page's partition id (GPN 2), END left as it was
        CRC32C crc = new CRC32C();
        crc.update(flipped, 0, crcAt - 16);
        int stored = ByteBuffer.wrap(flipped).order(ByteOrder.LITTLE_ENDIAN).getInt(crcAt);
        return List.of(
                new Refusal("END: checksum of a page byte changed after writing", flipped,
                        "checksum mismatch (stored 0x%x, computed 0x%x)".formatted(stored, (int) crc.getValue())),
                Refusal.of("END: shorter than its checksum", VALID.endingInside(END, 2), "END section of 2 bytes, 4 needed"),
                Refusal.of("END: longer than its checksum", VALID.with(END, s -> s.resized(8)), "section 7 (type 4) is 8 bytes, its contents 4"),
                new Refusal("END: bytes after it, in no section", java.util.Arrays.copyOf(VALID.bytes(), VALID.bytes().length + 5),
                        "5 bytes after END"),
                Refusal.of("END: a section after it that the header does not count",
                        VALID.inserting(END + 1, VALID.section(STORAGE)).withSectionCount(VALID.sectionCount()), "36 bytes after END"));
    }

    /** Every section type but VP appears once, and META comes before those that need it, so META is there at the end. */
    private static List<Refusal> incomplete() {
        return List.of(
                Refusal.of("incomplete: no END", VALID.removing(END), "incomplete: no END section"),
                Refusal.of("incomplete: a VP section missing", VALID.removing(VP1), "incomplete: only 1 of 2 VP sections"),
                Refusal.of("incomplete: no PAGES", VALID.removing(PAGES), "incomplete: no PAGES section"),
                Refusal.of("incomplete: no PAGES, a VP section or END", VALID.removing(END).removing(PAGES).removing(VP1),
                        "incomplete: no PAGES section, only 1 of 2 VP sections, no END section"));
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
