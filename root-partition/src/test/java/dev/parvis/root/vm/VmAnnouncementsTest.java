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
        VmEvent.StateChanged starting = changed(VmState.OFF, VmState.STARTING);
        VmEvent.StateChanged running = changed(VmState.STARTING, VmState.RUNNING);
        VmEvent failed = new VmEvent.Failed(id, "vm", "a later failure", Instant.now());
        announcements.stateChanged(starting, vmDir, false);
        assertEquals(List.of(starting), sent, "work in progress is heard at once");
        announcements.stateChanged(running, vmDir, false);
        announcements.event(failed);

        assertEquals(List.of(starting), sent, "a stable state waits for the answer");
        assertFalse(Files.exists(vmDir.resolve(HostStateMarker.MARKER)), "and so does its marker");

        announcements.release();
        assertEquals(List.of(starting, running, failed), sent);
        assertEquals(java.util.Optional.of("Running"), HostStateMarker.read(vmDir));

        announcements.release();
        assertEquals(3, sent.size(), "what went out is not sent again");
    }

    @Test
    void whileTheHostStopsAStableStateLeavesTheMarkerAsTheUserLeftIt(@TempDir Path vmDir) throws Exception {
        announcements.heldOn(Thread.currentThread());
        announcements.stateChanged(changed(VmState.OFF, VmState.RUNNING), vmDir, false);
        announcements.release();
        announcements.stateChanged(changed(VmState.RUNNING, VmState.SAVED), vmDir, true);
        announcements.release();
        assertEquals(java.util.Optional.of("Running"), HostStateMarker.read(vmDir));
    }

    @Test
    void anotherThreadsAnnouncementGoesOutAtOnce() throws Exception {
        announcements.heldOn(Thread.currentThread());
        VmEvent notice = new VmEvent.Notice(id, "vm", "from elsewhere", Instant.now());
        Thread other = Thread.ofPlatform().start(() -> announcements.event(notice));
        other.join();
        assertEquals(List.of(notice), sent);
    }

    private VmEvent.StateChanged changed(VmState from, VmState to) {
        return new VmEvent.StateChanged(id, "vm", from, to, Instant.now());
    }
}
