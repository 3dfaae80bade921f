package dev.parvis.e2e.vm;

import dev.parvis.e2e.GuestHarness;
import static dev.parvis.e2e.vm.VmFixture.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.root.vm.VmEvent;
import dev.parvis.root.vm.VmException;
import dev.parvis.root.vm.VmState;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files from the host's own disk named by a VM: a device, a FIFO, an oversized file, an ELF whose
 * offsets wrap, a saved.state that is a FIFO or claims 2 GiB in 140 bytes. Each start fails at once
 * with the file and the problem, leaves the file as it was, and a running VM beside them keeps
 * running; afterwards the genuine saved state still restores.
 */
@Timeout(180)
class HostFilesTest {
    @TempDir
    Path dataDir;

    @TempDir
    Path files;

    private static Path fifo(Path at) throws Exception {
        assertEquals(0, new ProcessBuilder("mkfifo", at.toString()).inheritIO().start().waitFor(), "mkfifo");
        return at;
    }

    /** The counter image with e_phoff patched so that e_phoff + e_phnum * e_phentsize wraps. */
    private Path wrappingElf() throws Exception {
        byte[] elf = Files.readAllBytes(GuestHarness.guestsDir().resolve("counter.elf"));
        ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).putLong(32, 0x7FFF_FFFF_FFFF_FFF0L);
        return Files.write(files.resolve("wrapping.elf"), elf);
    }

    private Path oversizedElf() throws Exception {
        Path big = files.resolve("big.elf");
        try (FileChannel ch = FileChannel.open(big, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(Files.readAllBytes(GuestHarness.guestsDir().resolve("counter.elf"))));
            ch.write(ByteBuffer.wrap(new byte[1]), 16L << 20); // sparse: 16 MiB + 1 byte
        }
        return big;
    }

    /** A saved.state of 140 bytes whose META and PAGES claim 524,287 pages (2 GiB). */
    private static byte[] claimsTwoGiB(UUID id) {
        ByteBuffer b = ByteBuffer.allocate(140).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0x4556_4153_5356_5250L).putInt(2).putInt(3);
        b.putInt(1).putInt(0).putLong(40).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits()).putLong(0)
                .putInt(1).putInt(524_287).putInt(0).putInt(0);
        b.putInt(3).putInt(0).putLong(52).putInt(524_287);
        return b.array();
    }

    @Test
    void hostileImageAndSavedStateFilesFailTheirVmsStartAndNothingElse() throws Exception {
        try (VmFixture f = new VmFixture(dataDir, 128L << 20)) {
            UUID good = f.service.create(VmFixture.counterVm("bystander", 16)).id();
            assertInstanceOf(VmState.Running.class, await(f.service.start(good)));
            long gpa = f.counterGpa(good);
            long counter = f.awaitCounterAbove(good, gpa, 0);
            long freeBefore = f.hv.rootMemory().freePages();

            List<List<String>> images = List.of(
                    List.of("/dev/zero", "a character device, not a regular file"),
                    List.of(fifo(files.resolve("pipe.elf")).toString(), "a FIFO, not a regular file"),
                    List.of(oversizedElf().toString(), "16777217 bytes, larger than the 16777216 bytes"),
                    List.of(wrappingElf().toString(), "ELF header: e_phoff 0x7ffffffffffffff0"));
            for (List<String> image : images) {
                UUID id = f.service.create(VmFixture.counterVm("hostile-" + images.indexOf(image), 16).withImage(image.get(0))).id();
                VmException e = assertThrows(VmException.class, () -> await(f.service.start(id)));
                System.out.println("host files: " + e.getMessage());
                assertTrue(e.getMessage().contains(image.get(0)) && e.getMessage().contains(image.get(1)), e.getMessage());
                assertInstanceOf(VmState.Off.class, f.service.get(id).orElseThrow().state());
                f.awaitEvents(() -> f.events.stream().anyMatch(ev -> ev instanceof VmEvent.Failed fl && fl.id().equals(id)));
                counter = f.awaitCounterAbove(good, gpa, counter);
            }
            assertEquals(freeBefore, f.hv.rootMemory().freePages(), "nothing was allocated for the refused VMs");

            UUID saved = f.service.create(VmFixture.counterVm("saved", 16)).id();
            await(f.service.start(saved));
            f.counterGpa(saved);
            assertInstanceOf(VmState.Saved.class, await(f.service.save(saved)));
            Path state = f.store.savedStatePath(saved);
            Path genuine = Files.move(state, files.resolve("genuine.state"));

            Files.write(state, claimsTwoGiB(saved));
            refusedRestore(f, saved, "META: 1 VPs and 524287 pages, but the VM has 1 VPs and 4095 pages of RAM");
            assertArrayEquals(claimsTwoGiB(saved), Files.readAllBytes(state), "the refused saved state is left as it was");
            Files.delete(state);
            fifo(state);
            refusedRestore(f, saved, "a FIFO, not a regular file");
            assertTrue(Files.exists(state, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(state), "the FIFO is left in place");
            Files.delete(state);
            Files.write(state, Arrays.copyOf(Files.readAllBytes(genuine), 4096));
            refusedRestore(f, saved, "truncated");
            Files.delete(state);

            Files.move(genuine, state);
            assertInstanceOf(VmState.Running.class, await(f.service.start(saved)), "the genuine saved state still restores");
            f.awaitCounterAbove(good, gpa, counter);
        }
    }

    private static void refusedRestore(VmFixture f, UUID id, String reason) {
        VmException e = assertThrows(VmException.class, () -> await(f.service.start(id)));
        System.out.println("host files: " + e.getMessage());
        assertTrue(e.getMessage().contains(f.store.savedStatePath(id).toString()) && e.getMessage().contains(reason), e.getMessage());
        assertInstanceOf(VmState.Saved.class, f.service.get(id).orElseThrow().state());
    }
}
