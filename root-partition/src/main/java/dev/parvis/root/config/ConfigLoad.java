package dev.parvis.root.config;

import java.nio.file.Path;

/**
 * The outcome of reading one VM's {@code vm.json}. A {@link Corrupt} or {@link UnknownVersion} file is
 * reported, left byte-for-byte as it is, and never overwritten by {@link ConfigStore#save}.
 */
public sealed interface ConfigLoad {

    /** The file that was read. */
    Path file();

    /** The file holds a valid configuration of the current format version. */
    record Loaded(VmConfig config, Path file) implements ConfigLoad {
    }

    /**
     * The file cannot be used: empty, unparsable, a missing or invalid field, or unreadable.
     *
     * @param reason what is wrong, naming the field where there is one
     */
    record Corrupt(Path file, String reason) implements ConfigLoad {
    }

    /** The file is written in a format version newer than this build understands. */
    record UnknownVersion(Path file, int version) implements ConfigLoad {
    }
}
