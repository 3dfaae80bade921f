package dev.parvis.root.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmAnnouncementsTest {
    private final UUID id = UUID.randomUUID();
    private final List<VmEvent> sent = new CopyOnWriteArrayList<>();
    private final VmAnnouncements announcements = new VmAnnouncements(sent::add);

    @Test
    void theWorkersAnnouncementsWaitForTheAnswerAndThenGoOutInTheOrderTheyWereMade(@TempDir Path vmDir) {
        announcements.heldOn(Thread.currentThread());
        VmEvent starting = changed(VmState.OFF, VmState.STARTING);
        VmEvent running = changed(VmState.STARTING, VmState.RUNNING);
        announcements.event(starting);
        announcements.event(running);
        announcements.marker(vmDir, "vm", VmState.RUNNING);

        assertTrue(sent.isEmpty(), "nothing is announced before the request is answered");
        assertFalse(Files.exists(vmDir.resolve(HostStateMarker.MARKER)), "nor is the marker written");

        announcements.release();
        assertEquals(List.of(starting, running), sent);
        assertEquals(java.util.Optional.of("Running"), HostStateMarker.read(vmDir));

        announcements.release();
        assertEquals(2, sent.size(), "what went out is not sent again");
    }

    @Test
    void anotherThreadsAnnouncementGoesOutAtOnce() throws Exception {
        announcements.heldOn(Thread.currentThread());
        VmEvent notice = new VmEvent.Notice(id, "vm", "from elsewhere", Instant.now());
        Thread other = Thread.ofPlatform().start(() -> announcements.event(notice));
        other.join();
        assertEquals(List.of(notice), sent);
    }

    private VmEvent changed(VmState from, VmState to) {
        return new VmEvent.StateChanged(id, "vm", from, to, Instant.now());
    }
}
