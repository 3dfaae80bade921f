package dev.parvis.wmi.storage;

import dev.parvis.wmi.cim.AccessDeniedException;
import dev.parvis.wmi.cim.InvalidParameterException;
import dev.parvis.wmi.cim.NotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Confines file names that come from a remote caller to the host's configured storage
 * directories. A name is resolved before use: relative names against the first directory, every
 * symbolic link followed ({@link Path#toRealPath}), and the result must lie inside one of the
 * directories' own real paths. An existing file must be a regular file (no devices, no FIFOs, no
 * directories); a file to create must not exist and its parent must be inside. The checked real
 * path is what the caller then uses, so a link cannot redirect it afterwards except by someone
 * who can write inside the storage directories themselves.
 */
public final class StorageDirectories {
    public static final int MAX_NAME_LENGTH = 4096;

    private final List<Path> roots;

    /** @param roots existing directories (created if missing) */
    public StorageDirectories(List<Path> roots) {
        if (roots.isEmpty()) {
            throw new IllegalArgumentException("at least one storage directory is needed");
        }
        List<Path> real = new ArrayList<>();
        for (Path root : roots) {
            try {
                Files.createDirectories(root);
                real.add(root.toRealPath());
            } catch (IOException e) {
                throw new UncheckedIOException("storage directory " + root + ": " + e.getMessage(), e);
            }
        }
        this.roots = List.copyOf(real);
    }

    public List<Path> roots() {
        return roots;
    }

    /** An existing regular file inside the storage directories, as its real path. */
    public Path existingFile(String name) {
        Path candidate = candidate(name);
        Path real;
        try {
            real = candidate.toRealPath();
        } catch (IOException e) {
            checkInside(name, candidate.toAbsolutePath().normalize());
            throw new NotFoundException("no such file in the storage directories: " + name);
        }
        checkInside(name, real);
        if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
            throw new AccessDeniedException("'" + name + "' is not a regular file");
        }
        return real;
    }

    /** A file to be created inside the storage directories (its directory must exist), as a real path. */
    public Path newFile(String name) {
        Path candidate = candidate(name);
        Path parent = candidate.toAbsolutePath().normalize().getParent();
        Path file = candidate.getFileName();
        if (parent == null || file == null) {
            throw new InvalidParameterException("'" + name + "' does not name a file");
        }
        Path realParent;
        try {
            realParent = parent.toRealPath();
        } catch (IOException e) {
            checkInside(name, parent);
            throw new NotFoundException("no such directory in the storage directories: " + parent);
        }
        Path real = realParent.resolve(file.toString());
        checkInside(name, real);
        if (Files.exists(real, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidParameterException("'" + name + "' already exists");
        }
        return real;
    }

    private Path candidate(String name) {
        if (name == null || name.isBlank()) {
            throw new InvalidParameterException("empty file name");
        }
        if (name.length() > MAX_NAME_LENGTH || name.indexOf('\0') >= 0) {
            throw new InvalidParameterException("file name too long or with a NUL character");
        }
        try {
            Path p = Path.of(name);
            return p.isAbsolute() ? p : roots.getFirst().resolve(p);
        } catch (InvalidPathException e) {
            throw new InvalidParameterException("bad file name '" + name + "': " + e.getReason());
        }
    }

    private void checkInside(String name, Path resolved) {
        for (Path root : roots) {
            if (resolved.startsWith(root) && !resolved.equals(root)) {
                return;
            }
        }
        throw new AccessDeniedException("'" + name + "' is outside the host's storage directories " + roots);
    }
}
