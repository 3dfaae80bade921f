package dev.parvis.root.config;

import dev.parvis.vmcore.hostfile.HostFile;
import dev.parvis.vmcore.hostfile.HostFileException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VM configurations of one data directory: {@code <data>/vms/<uuid>/vm.json}, one directory per VM,
 * beside the VM's {@code saved.state}.
 *
 * <p>{@link #save} replaces {@code vm.json} atomically: a temporary file {@code vm.json.tmp-<random>} in
 * the same directory is written and fsynced, renamed over {@code vm.json}, and the directory is fsynced.
 * A crash at any point leaves either the old or the new file. Temporary files found later are leftovers
 * of a killed writer: they are deleted, never read. A file that is {@link ConfigLoad.Corrupt} or
 * {@link ConfigLoad.UnknownVersion} is left as it is and never overwritten.
 *
 * <p>One store (one instance, in one process) owns a data directory; its methods are serialized.
 * I/O failures other than reading a config surface as {@link UncheckedIOException}.
 */
public final class ConfigStore {
    /** System property naming the data directory. */
    public static final String DATA_DIR_PROPERTY = "parvis.data.dir";
    /** Environment variable naming the data directory when the system property is not set. */
    public static final String DATA_DIR_ENV = "PARVIS_DATA_DIR";
    static final String VMS = "vms";
    static final String CONFIG_FILE = "vm.json";
    static final String SAVED_STATE_FILE = "saved.state";
    static final String TEMP_PREFIX = CONFIG_FILE + ".tmp-";
    /** The largest {@code vm.json} the store writes or reads (a real one is well under 4 KiB). */
    public static final int MAX_CONFIG_BYTES = 1 << 20;

    private static final Logger log = LoggerFactory.getLogger(ConfigStore.class);

    private final Path dataDirectory;
    private final Path vmsDirectory;

    public ConfigStore(Path dataDirectory) {
        this.dataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory");
        this.vmsDirectory = dataDirectory.resolve(VMS);
    }

    /** {@code -Dparvis.data.dir}, else {@code $PARVIS_DATA_DIR}, else {@code ~/.parvis}. */
    public static Path defaultDataDirectory() {
        String property = System.getProperty(DATA_DIR_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String env = System.getenv(DATA_DIR_ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".parvis");
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** {@code <data>/vms/<id>}: the VM's directory, holding {@code vm.json} and {@code saved.state}. */
    public Path vmDirectory(UUID id) {
        return vmsDirectory.resolve(id.toString());
    }

    /** {@code <data>/vms/<id>/saved.state}, written by save/restore, removed by {@link #delete}. */
    public Path savedStatePath(UUID id) {
        return vmDirectory(id).resolve(SAVED_STATE_FILE);
    }

    /**
     * Whether anything is at {@link #savedStatePath} (a link is not followed): the VM is Saved, and a
     * restore reads it or refuses it with the reason.
     */
    public boolean hasSavedState(UUID id) {
        return Files.exists(savedStatePath(id), LinkOption.NOFOLLOW_LINKS);
    }

    /** {@code <data>/vms/<id>/vm.json}. */
    public Path configPath(UUID id) {
        return vmDirectory(id).resolve(CONFIG_FILE);
    }

    /**
     * One entry per VM directory: loaded configs sorted by name (then id), then the corrupt and unknown
     * ones by directory. A directory left empty by an interrupted first save is removed, not listed;
     * one that is not named by a UUID is not a VM directory and is skipped with a warning.
     */
    public synchronized List<ConfigLoad> loadAll() {
        requireDirectoryOrAbsent(dataDirectory, "data directory");
        requireDirectoryOrAbsent(vmsDirectory, "VM directory");
        if (!Files.isDirectory(vmsDirectory)) {
            return List.of();
        }
        List<ConfigLoad> loads = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(vmsDirectory, Files::isDirectory)) {
            for (Path dir : dirs) {
                UUID id = parseId(dir.getFileName().toString());
                if (id == null) {
                    log.warn("Skipping {}: not a VM directory (its name is not a UUID)", dir);
                    continue;
                }
                ConfigLoad load = loadDirectory(id);
                if (load != null) {
                    loads.add(load);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + vmsDirectory, e);
        }
        loads.sort(LOAD_ORDER);
        return List.copyOf(loads);
    }

    /**
     * The VM's config.
     *
     * @throws NoSuchElementException if there is no VM {@code id}
     */
    public synchronized ConfigLoad load(UUID id) {
        ConfigLoad load = Files.isDirectory(vmDirectory(id)) ? loadDirectory(id) : null;
        if (load == null) {
            throw new NoSuchElementException("no VM " + id + ": " + configPath(id) + " does not exist");
        }
        return load;
    }

    /**
     * Writes {@code config} to its VM's {@code vm.json}, atomically and durably, creating the VM's
     * directory on first save.
     *
     * @throws IllegalStateException if the existing {@code vm.json} is corrupt or of an unknown version
     */
    public synchronized void save(VmConfig config) {
        Path dir = vmDirectory(config.id());
        Path file = dir.resolve(CONFIG_FILE);
        try {
            boolean created = false;
            if (Files.isDirectory(dir)) {
                removeStaleTempFiles(dir);
                refuseToOverwriteUnreadable(config.id(), file);
            } else {
                createVmDirectory(dir);
                created = true;
            }
            byte[] bytes = ConfigJson.write(config);
            if (bytes.length > MAX_CONFIG_BYTES) {
                throw new IllegalArgumentException("the configuration of VM %s is %d bytes, more than the %d a %s may hold"
                        .formatted(config.id(), bytes.length, MAX_CONFIG_BYTES, CONFIG_FILE));
            }
            Path temp = dir.resolve(TEMP_PREFIX + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()));
            try {
                writeDurably(temp, bytes);
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | RuntimeException e) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
            fsyncDirectory(dir);
            if (created) {
                fsyncDirectory(vmsDirectory);
            }
            log.debug("Saved {} ({} bytes)", file, bytes.length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save " + file, e);
        }
    }

    /**
     * Removes the VM's directory with its {@code vm.json} and {@code saved.state}. Does nothing if the VM
     * does not exist.
     *
     * @throws IllegalStateException if the directory holds other files (they are not the store's to delete)
     */
    public synchronized void delete(UUID id) {
        Path dir = vmDirectory(id);
        if (!Files.isDirectory(dir)) {
            log.debug("Delete of VM {}: {} does not exist", id, dir);
            return;
        }
        try {
            List<String> foreign = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (!name.equals(CONFIG_FILE) && !name.equals(SAVED_STATE_FILE) && !name.startsWith(TEMP_PREFIX)) {
                        foreign.add(name);
                    }
                }
            }
            if (!foreign.isEmpty()) {
                throw new IllegalStateException("refusing to delete " + dir + ": it holds files the store did not create: "
                        + foreign.stream().sorted().toList());
            }
            // saved.state first: a crash midway leaves a VM without saved state, never a state without a VM.
            Files.deleteIfExists(dir.resolve(SAVED_STATE_FILE));
            removeStaleTempFiles(dir);
            Files.deleteIfExists(dir.resolve(CONFIG_FILE));
            Files.delete(dir);
            fsyncDirectory(vmsDirectory);
            log.info("Deleted VM {} ({})", id, dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    /** Null when the directory holds no config and was removed as the leftover of a first save. */
    private ConfigLoad loadDirectory(UUID id) {
        Path dir = vmDirectory(id);
        Path file = dir.resolve(CONFIG_FILE);
        try {
            removeStaleTempFiles(dir);
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                if (isEmpty(dir)) {
                    Files.delete(dir);
                    fsyncDirectory(vmsDirectory);
                    log.info("Removed {}: empty, left by an interrupted first save", dir);
                    return null;
                }
                return report(new ConfigLoad.Corrupt(file, "missing " + CONFIG_FILE));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean up " + dir, e);
        }
        return report(readConfig(id, file));
    }

    private static ConfigLoad readConfig(UUID id, Path file) {
        byte[] bytes;
        try {
            bytes = HostFile.read(file, MAX_CONFIG_BYTES, HostFile.Links.REFUSE);
        } catch (HostFileException e) {
            return new ConfigLoad.Corrupt(file, e.problem());
        }
        ConfigLoad load = ConfigJson.read(bytes, file);
        if (load instanceof ConfigLoad.Loaded(VmConfig config, Path f) && !config.id().equals(id)) {
            return new ConfigLoad.Corrupt(f, "id " + config.id() + " does not match the directory " + id);
        }
        return load;
    }

    private static ConfigLoad report(ConfigLoad load) {
        switch (load) {
            case ConfigLoad.Loaded loaded -> log.debug("Loaded {}", loaded.file());
            case ConfigLoad.Corrupt(Path file, String reason) ->
                    log.warn("VM configuration {} is corrupt and will not be overwritten: {}", file, reason);
            case ConfigLoad.UnknownVersion(Path file, int version) ->
                    log.warn("VM configuration {} has unknown configVersion {} (this build reads {}); it will not be overwritten",
                            file, version, VmConfig.CURRENT_VERSION);
        }
        return load;
    }

    private static void refuseToOverwriteUnreadable(UUID id, Path file) {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        switch (report(readConfig(id, file))) {
            case ConfigLoad.Loaded loaded -> { }
            case ConfigLoad.Corrupt(Path f, String reason) ->
                    throw new IllegalStateException("refusing to overwrite corrupt " + f + " (" + reason + ")");
            case ConfigLoad.UnknownVersion(Path f, int version) ->
                    throw new IllegalStateException("refusing to overwrite " + f + ": it has configVersion " + version
                            + ", newer than " + VmConfig.CURRENT_VERSION);
        }
    }

    /**
     * Makes the new VM's directory; {@link #save} fsyncs {@code vms/} last, after {@code vm.json} and
     * the VM's directory, before it returns. Nothing is acknowledged before all three are durable, and
     * a crash before that leaves no directory, an empty one (removed at the next load) or one whose
     * {@code vm.json} is complete. The three fsyncs run one after another on the caller's thread: on
     * ext4 the last usually finds the directory's entry committed with the file's, and costs little.
     * Run beside the others on a virtual thread of its own (as it was), it took more process CPU in
     * every round of two runs of 4 x 100 first saves on this machine's disk (load 5 and 7): 0.7-3.8 ms
     * per save against 0.4-1.5 ms inline, for no less wall time (1.0-2.6 ms against 0.7-2.6 ms); and
     * the CPU is what a save made beside a VM's start (VmManagementService.createAndStart) takes from it.
     */
    private void createVmDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(vmsDirectory)) {
            Files.createDirectories(vmsDirectory);
            fsyncDirectory(dataDirectory);
        }
        Files.createDirectory(dir);
    }

    private static void writeDurably(Path file, byte[] bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static void removeStaleTempFiles(Path dir) throws IOException {
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, TEMP_PREFIX + "*")) {
            for (Path temp : temps) {
                try {
                    Files.delete(temp);
                    log.info("Removed {}: left by an interrupted save", temp);
                } catch (NoSuchFileException e) {
                    // gone already
                }
            }
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            return !entries.iterator().hasNext();
        }
    }

    /** A data directory that is a file (or a FIFO, ...) is an error, not an empty store. */
    private static void requireDirectoryOrAbsent(Path dir, String what) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalStateException("the %s %s is not a directory".formatted(what, dir));
        }
    }

    private static UUID parseId(String name) {
        try {
            UUID id = UUID.fromString(name);
            return id.toString().equals(name) ? id : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static final Comparator<ConfigLoad> LOAD_ORDER = Comparator
            .comparing((ConfigLoad load) -> load instanceof ConfigLoad.Loaded ? 0 : 1)
            .thenComparing(load -> load instanceof ConfigLoad.Loaded(VmConfig c, Path f) ? c.name() : "",
                    String.CASE_INSENSITIVE_ORDER)
            .thenComparing(load -> load instanceof ConfigLoad.Loaded(VmConfig c, Path f) ? c.name() : "")
            .thenComparing(load -> load.file().toString());
}
