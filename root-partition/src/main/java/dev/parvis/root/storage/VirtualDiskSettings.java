package dev.parvis.root.storage;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A virtual hard disk as Msvm_VirtualHardDiskSettingData describes it.
 *
 * @param path              the disk file
 * @param type              fixed, dynamic or differencing
 * @param maxInternalSize   the virtual size in bytes (a multiple of the logical sector size)
 * @param blockSize         the VHDX block size in bytes (0 = the format's default)
 * @param logicalSectorSize 512 or 4096
 * @param parent            the parent file of a differencing disk
 */
public record VirtualDiskSettings(Path path, Type type, long maxInternalSize, long blockSize, int logicalSectorSize,
                                  Optional<Path> parent) {

    /** Msvm_VirtualHardDiskSettingData.Type: 2 Fixed, 3 Dynamic, 4 Differencing. */
    public enum Type {
        FIXED(2), DYNAMIC(3), DIFFERENCING(4);

        private final int code;

        Type(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        public static Optional<Type> ofCode(long code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return Optional.of(t);
                }
            }
            return Optional.empty();
        }
    }

    public VirtualDiskSettings {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(parent, "parent");
        if (maxInternalSize < 0 || blockSize < 0) {
            throw new IllegalArgumentException("sizes must not be negative");
        }
        if (logicalSectorSize != 512 && logicalSectorSize != 4096) {
            throw new IllegalArgumentException("logical sector size must be 512 or 4096: " + logicalSectorSize);
        }
        if ((type == Type.DIFFERENCING) != parent.isPresent()) {
            throw new IllegalArgumentException("a differencing disk, and only it, has a parent");
        }
    }
}
