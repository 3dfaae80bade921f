package dev.parvis.root.vm;

import dev.parvis.vmcore.hostfile.HostFile;
import dev.parvis.vmcore.hostfile.HostFileException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last stable state the user left a VM in, kept in its directory so that the next host start
 * can honour START_IF_RUNNING.
 */
final class HostStateMarker {
    private static final Logger LOG = LoggerFactory.getLogger(HostStateMarker.class);
    static final String MARKER = "host-last-state";
    /** The marker holds one state name ("Running"). */
    private static final long MARKER_MAX_BYTES = 64;

    private HostStateMarker() {
    }

    /** Records {@code s} in {@code vmDirectory} (nothing when the directory is gone: the VM is being deleted). */
    static void write(Path vmDirectory, String vmName, VmState s) {
        try {
            if (!Files.isDirectory(vmDirectory)) {
                return;
            }
            Path tmp = vmDirectory.resolve(MARKER + ".tmp");
            Files.writeString(tmp, s.getClass().getSimpleName());
            Files.move(tmp, vmDirectory.resolve(MARKER), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn("VM '{}': cannot record its state for the next host start: {}", vmName, e.getMessage());
        }
    }

    /** The state recorded by {@link #write}: "Running", "Paused", "Saved", "Off", "Failed", or empty. */
    static Optional<String> read(Path vmDirectory) {
        Path marker = vmDirectory.resolve(MARKER);
        if (!Files.exists(marker, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new String(HostFile.read(marker, MARKER_MAX_BYTES, HostFile.Links.REFUSE), StandardCharsets.UTF_8).strip());
        } catch (HostFileException e) {
            LOG.warn("VM directory {}: last host state unreadable, taken as none: {}", vmDirectory, e.getMessage());
            return Optional.empty();
        }
    }

    /** Removes the marker (the VM is being deleted). */
    static void delete(Path vmDirectory) throws IOException {
        Files.deleteIfExists(vmDirectory.resolve(MARKER));
    }
}
