package dev.parvis.root.storage;

import dev.parvis.root.vm.RequestProgress;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Virtual hard disk files (Msvm_ImageManagementService's CreateVirtualHardDisk,
 * GetVirtualHardDiskSettingData, ResizeVirtualHardDisk, MergeVirtualHardDisk). Paths are already
 * resolved and confined to the host's storage directories by the caller. Long operations report
 * their progress; every method may throw {@link DiskServiceUnavailableException} on a host that
 * has no disk support.
 */
public interface VirtualDiskService {

    /** False on a host without disk support (then every other method throws {@link DiskServiceUnavailableException}). */
    default boolean supported() {
        return true;
    }

    /** Creates the disk file {@code settings.path()} (which must not exist). */
    void create(VirtualDiskSettings settings, RequestProgress progress) throws IOException;

    /** The settings of an existing disk file. */
    VirtualDiskSettings inspect(Path path) throws IOException;

    /** Grows (or, where the format allows, shrinks) the disk's virtual size. */
    void resize(Path path, long maxInternalSize, RequestProgress progress) throws IOException;

    /** Merges the differencing disk {@code child} into its ancestor {@code destination}. */
    void merge(Path child, Path destination, RequestProgress progress) throws IOException;

    /** The service of a host without disk support: every call throws {@link DiskServiceUnavailableException}. */
    VirtualDiskService UNAVAILABLE = new VirtualDiskService() {
        @Override
        public boolean supported() {
            return false;
        }

        @Override
        public void create(VirtualDiskSettings settings, RequestProgress progress) {
            throw new DiskServiceUnavailableException("CreateVirtualHardDisk");
        }

        @Override
        public VirtualDiskSettings inspect(Path path) {
            throw new DiskServiceUnavailableException("GetVirtualHardDiskSettingData");
        }

        @Override
        public void resize(Path path, long maxInternalSize, RequestProgress progress) {
            throw new DiskServiceUnavailableException("ResizeVirtualHardDisk");
        }

        @Override
        public void merge(Path child, Path destination, RequestProgress progress) {
            throw new DiskServiceUnavailableException("MergeVirtualHardDisk");
        }
    };
}
