package dev.parvis.root.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.boot.BootInfo;
import dev.parvis.abi.boot.BootProtocol;
import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.input.PendingMessages;
import dev.parvis.abi.vmbus.Guid;
import dev.parvis.devices.storvsp.SavedChannel;
import dev.parvis.root.storage.DiskChannelState;
import dev.parvis.vmbus.server.VmbusServerState;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SavedStateFileTest {
    @TempDir
    Path dir;

    /** What sample() is: 8 pages of RAM and 2 VPs. */
    private static final SavedStateFile.Expected EXPECTED = new SavedStateFile.Expected(8, 2);

    /**
     * {@code pages} pages of RAM from GPN 1 with the boot page a child of {@code vps} VPs was started
     * with at GPN 2 (every saved child has one there; the decoder checks it).
     */
    static byte[] ramWithBootPage(int pages, int vps) {
        byte[] memory = new byte[pages * 4096];
        long ram = (pages + 1L) * 4096;
        new BootInfo(42, 0, vps, BootProtocol.HYPERCALL_PAGE_GPA, ram, BootProtocol.IMAGE_BASE_GPA, ram - 8192, ram - 8192,
                ram - 4096, ram, 1, 2, 2).write(MemorySegment.ofArray(memory).asSlice(BootProtocol.BOOT_INFO_GPA - 4096, 4096));
        return memory;
    }

    static SavedState sample() {
        int pages = 8;
        byte[] memory = ramWithBootPage(pages, 2);
        memory[7 * 4096 + 4095] = -1; // GPN 8
        int[] rights = new int[pages + 1];
        for (int i = 1; i <= pages; i++) {
            rights[i] = i == 1 ? 0b101 : 0b011;
        }
        List<VpRegisters.Value> vp0 = List.of(new VpRegisters.Value(0x20010, 0x100000, 0), new VpRegisters.Value(0x60001, 0, 0x209B_0008_FFFF_FFFFL));
        return new SavedState(UUID.randomUUID(), "counter-1", 123_456_789L, List.of(vp0, List.of()), rights, memory);
    }

    @Test
    void aSavedStateReadsBackAsWritten() throws Exception {
        SavedState s = sample();
        Path file = dir.resolve("saved.state");
        SavedStateFile.write(file, s);
        SavedState back = SavedStateFile.read(file, EXPECTED);
        assertEquals(s.vmId(), back.vmId());
        assertEquals(s.name(), back.name());
        assertEquals(s.referenceTime(), back.referenceTime());
        assertEquals(s.vps(), back.vps());
        assertArrayEquals(s.rights(), back.rights());
        assertArrayEquals(s.memory(), back.memory());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left");
        }
    }

    @Test
    void theStateOfEachDiskChannelReadsBackAndABadOneIsRefusedByName() {
        SavedState s = sample();
        List<DiskChannelState> disks = List.of(new DiskChannelState(0, new SavedChannel(1, SavedChannel.READY, 0x0602)),
                new DiskChannelState(3, new SavedChannel(4, SavedChannel.NEGOTIATING, 0)));
        SavedState withDisks = new SavedState(s.vmId(), s.name(), s.referenceTime(), s.vps(), s.rights(), s.memory(), null, List.of(), disks);
        byte[] full = bytes(SavedStateFile.encode(withDisks));
        assertEquals(disks, SavedStateFile.decode("disks", full, EXPECTED).diskChannels());
        assertEquals(List.of(), SavedStateFile.decode("none", bytes(SavedStateFile.encode(s)), EXPECTED).diskChannels(),
                "a VM without disks saves no STORAGE section");

        // channel 1 (the first entry) in phase 2 (ready) with version 0: refused by name even with a valid checksum
        SavedStateImage image = SavedStateImage.parse(full);
        byte[] bad = image.with(image.indexOf(SavedStateFile.STORAGE), storage -> storage.withInt(4 + 12, 0)).bytes();
        SavedStateException e = assertThrows(SavedStateException.class, () -> SavedStateFile.decode("bad", bad, EXPECTED));
        assertEquals("bad: STORAGE channel 1: protocol version 0x0 in phase 2", e.getMessage());
    }

    @Test
    void zeroPagesTakeNoSpace() {
        int size = SavedStateFile.encode(sample()).remaining();
        assertTrue(size < 3 * 4096, "two non-zero pages of eight, got " + size + " bytes");
    }

    @Test
    void everyTruncationIsAClearErrorNotACrash() {
        byte[] full = bytes(SavedStateFile.encode(sample()));
        for (int length = 0; length < full.length; length += 7) {
            byte[] cut = java.util.Arrays.copyOf(full, length);
            SavedStateException e = assertThrows(SavedStateException.class, () -> SavedStateFile.decode("cut", cut, EXPECTED), "length " + length);
            assertFalse(e.getMessage().isBlank());
        }
    }

    @Test
    void aFlippedByteAnywhereIsDetected() {
        byte[] full = bytes(SavedStateFile.encode(sample()));
        for (int at = 0; at < full.length; at += 13) {
            byte[] bad = full.clone();
            bad[at] ^= 0x5A;
            assertThrows(SavedStateException.class, () -> SavedStateFile.decode("bad", bad, EXPECTED), "byte " + at);
        }
    }

    @Test
    void anotherFormatVersionIsRefusedByName() {
        byte[] full = bytes(SavedStateFile.encode(sample()));
        full[8] = 9;
        SavedStateException e = assertThrows(SavedStateException.class, () -> SavedStateFile.decode("v9", full, EXPECTED));
        assertTrue(e.getMessage().contains("version 9"), e.getMessage());
    }

    static SavedState withVmbus() {
        SavedState s = sample();
        byte[] userData = new byte[120];
        userData[3] = 7;
        VmbusServerState.Open open = new VmbusServerState.Open(1, 0xE1E10, 2, 0, userData, 4096);
        VmbusServerState vmbus = new VmbusServerState(VmbusServerState.CONNECTED, 0x00050003, 0, 2, true, "",
                List.of(new VmbusServerState.OfferEntry(1, Guid.parse("3b1a4a2c-0000-4000-8000-0000000000e0"),
                        Guid.parse("7a0c6d1e-0000-4000-8000-000000000001"), 0x2001, false, false, false,
                        new VmbusServerState.ChannelEntry(VmbusServerState.ChannelEntry.OPEN, open, null))),
                List.of(new VmbusServerState.GpadlEntry(0xE1E10, 1, VmbusServerState.GpadlEntry.CREATED,
                                new long[] {3, 4, 5, 6}, 4, 4 * 4096, 0, 1, false),
                        new VmbusServerState.GpadlEntry(0xE1E11, 1, VmbusServerState.GpadlEntry.ASSEMBLING,
                                new long[] {7, 0, 0}, 1, 3 * 4096, 0, 0, false)),
                List.of(new VmbusServerState.PendingMessage(0, 2, new byte[] {10, 0, 0, 0, 0, 0, 0, 0})),
                List.of());
        return new SavedState(s.vmId(), s.name(), s.referenceTime(), s.vps(), s.rights(), s.memory(), vmbus);
    }

    @Test
    void theVmbusSectionReadsBackAsWritten() throws Exception {
        SavedState s = withVmbus();
        Path file = dir.resolve("saved.state");
        SavedStateFile.write(file, s);
        SavedState back = SavedStateFile.read(file, EXPECTED);
        assertEquals(s.vmbus(), back.vmbus());
        assertArrayEquals(s.memory(), back.memory());
        assertEquals(null, SavedStateFile.decode("plain", bytes(SavedStateFile.encode(sample())), EXPECTED).vmbus());
    }

    @Test
    void aVmbusSectionIsCheckedForTruncationAndCorruption() {
        byte[] full = bytes(SavedStateFile.encode(withVmbus()));
        for (int length = 0; length < full.length; length += 5) {
            byte[] cut = java.util.Arrays.copyOf(full, length);
            assertThrows(SavedStateException.class, () -> SavedStateFile.decode("cut", cut, EXPECTED), "length " + length);
        }
        for (int at = 0; at < full.length; at += 3) {
            byte[] bad = full.clone();
            bad[at] ^= 0x5A;
            assertThrows(SavedStateException.class, () -> SavedStateFile.decode("bad", bad, EXPECTED), "byte " + at);
        }
    }

    @Test
    void aVersion1FileStillLoadsButMayNotCarryAVmbusSection() {
        byte[] plain = SavedStateImage.parse(bytes(SavedStateFile.encode(sample()))).withVersion(1).bytes();
        SavedState v1 = SavedStateFile.decode("v1", plain, EXPECTED);
        assertArrayEquals(sample().rights(), v1.rights());
        assertEquals(null, v1.vmbus());

        byte[] withVmbus = SavedStateImage.parse(bytes(SavedStateFile.encode(withVmbus()))).withVersion(1).bytes();
        SavedStateException e = assertThrows(SavedStateException.class, () -> SavedStateFile.decode("v1+vmbus", withVmbus, EXPECTED));
        assertTrue(e.getMessage().contains("VMBUS section in a version 1 file"), e.getMessage());
    }

    static SavedState withSynicPages() {
        SavedState s = sample();
        VpSynicPages vp0 = VpSynicPages.empty();
        vp0.sim()[256] = 1; // a message waiting in SINT 1's slot
        vp0.sief()[2 * 256] = 4; // flag 2 of SINT 2
        return new SavedState(s.vmId(), s.name(), s.referenceTime(), s.vps(), s.rights(), s.memory(), null,
                List.of(new VpSynicPages(vp0.sim(), vp0.sief(), heldMessages()), VpSynicPages.empty()));
    }

    /** Two messages queued behind SINT 1's busy slot, from the root (partition 1). */
    private static byte[] heldMessages() {
        List<PendingMessages.Entry> entries = new ArrayList<>();
        for (int seq = 0; seq < 2; seq++) {
            entries.add(new PendingMessages.Entry(PendingMessages.KIND_QUEUED, 1, 1,
                    new HvMessage(new HvMessageType(1), (byte) 0, 0, new byte[] {(byte) seq})));
        }
        PendingMessages held = new PendingMessages(entries);
        byte[] out = new byte[(int) held.byteSize()];
        held.write(MemorySegment.ofArray(out));
        return out;
    }

    @Test
    void theSynicPagesOfEveryVpReadBackAsWrittenAndAreCheckedForCorruption() {
        SavedState s = withSynicPages();
        byte[] full = bytes(SavedStateFile.encode(s));
        SavedState back = SavedStateFile.decode("synic", full, EXPECTED);
        assertArrayEquals(s.synic().get(0).sim(), back.synic().get(0).sim());
        assertArrayEquals(s.synic().get(0).sief(), back.synic().get(0).sief());
        assertArrayEquals(new byte[4096], back.synic().get(1).sim());
        assertArrayEquals(s.synic().get(0).pending(), back.synic().get(0).pending(), "the held messages too");
        assertEquals(0, back.synic().get(1).pending().length);
        for (int at = 0; at < full.length; at += 11) {
            byte[] bad = full.clone();
            bad[at] ^= 0x5A;
            assertThrows(SavedStateException.class, () -> SavedStateFile.decode("bad", bad, EXPECTED), "byte " + at);
        }
    }

    @Test
    void aFileWithoutSynicPagesRestoresThemFromTheRamTheGuestSawThemIn() {
        SavedState s = sample();
        byte[] memory = s.memory().clone();
        memory[2 * 4096 + 256] = 9; // GPN 3, where VP 0's SIMP pointed when SIM pages still lay in RAM
        List<VpRegisters.Value> vp0 = List.of(new VpRegisters.Value(0x000A0013, 0x3000 | 1, 0));
        SavedState old = new SavedState(s.vmId(), s.name(), s.referenceTime(), List.of(vp0), s.rights(), memory);
        assertEquals(9, old.synicPages(0).sim()[256]);
        assertArrayEquals(new byte[4096], old.synicPages(0).sief(), "SIEFP was not enabled");
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
