package dev.parvis.root.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.parvis.root.Fifo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host-last-state marker a VM directory keeps for START_IF_RUNNING is read as hostile too. */
class LastHostStateTest {
    @TempDir
    Path dir;

    @Test
    void theMarkerIsReadWhenItIsASmallRegularFile() throws Exception {
        Files.writeString(dir.resolve("host-last-state"), "Running\n");
        assertEquals(Optional.of("Running"), HostStateMarker.read(dir));
        assertEquals(Optional.empty(), HostStateMarker.read(dir.resolve("absent")));
    }

    @Test
    void aMarkerThatIsAFifoOrHugeOrALinkCountsAsNoneWithoutBlocking() throws Exception {
        Path fifo = Files.createDirectories(dir.resolve("fifo"));
        Fifo.create(fifo.resolve("host-last-state"));
        assertEquals(Optional.empty(), assertTimeoutPreemptively(Duration.ofSeconds(10), () -> HostStateMarker.read(fifo)));

        Path huge = Files.createDirectories(dir.resolve("huge"));
        Files.write(huge.resolve("host-last-state"), new byte[1 << 20]);
        assertEquals(Optional.empty(), HostStateMarker.read(huge));

        Path link = Files.createDirectories(dir.resolve("link"));
        Files.createSymbolicLink(link.resolve("host-last-state"), Path.of("/dev/zero"));
        assertEquals(Optional.empty(), assertTimeoutPreemptively(Duration.ofSeconds(10), () -> HostStateMarker.read(link)));
    }
}
