package dev.parvis.vmcore.hostfile;

import java.nio.file.Path;

/**
 * A host file the root refuses to read: missing, unreadable, not a regular file, or larger than the
 * bound the host set for it. The message names the file and the problem.
 */
public final class HostFileException extends RuntimeException {
    private final Path path;
    private final String problem;

    public HostFileException(Path path, String problem) {
        super(path + ": " + problem);
        this.path = path;
        this.problem = problem;
    }

    public Path path() {
        return path;
    }

    /** What is wrong with the file, without its name ("a FIFO, not a regular file"). */
    public String problem() {
        return problem;
    }
}
