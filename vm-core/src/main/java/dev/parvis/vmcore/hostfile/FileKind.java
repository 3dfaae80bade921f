package dev.parvis.vmcore.hostfile;

/** The type of a file system object, from the {@code S_IFMT} bits of its mode (POSIX {@code <sys/stat.h>}). */
public enum FileKind {
    REGULAR("a regular file"),
    DIRECTORY("a directory"),
    SYMBOLIC_LINK("a symbolic link"),
    FIFO("a FIFO"),
    CHARACTER_DEVICE("a character device"),
    BLOCK_DEVICE("a block device"),
    SOCKET("a socket"),
    UNKNOWN("of an unknown file type");

    private static final int S_IFMT = 0170000;

    private final String description;

    FileKind(String description) {
        this.description = description;
    }

    /** "a FIFO", "a character device", ...: how an error message names the kind. */
    public String description() {
        return description;
    }

    static FileKind ofMode(int mode) {
        return switch (mode & S_IFMT) {
            case 0100000 -> REGULAR;
            case 0040000 -> DIRECTORY;
            case 0120000 -> SYMBOLIC_LINK;
            case 0010000 -> FIFO;
            case 0020000 -> CHARACTER_DEVICE;
            case 0060000 -> BLOCK_DEVICE;
            case 0140000 -> SOCKET;
            default -> UNKNOWN;
        };
    }
}
