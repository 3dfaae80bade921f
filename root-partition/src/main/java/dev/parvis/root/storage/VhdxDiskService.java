package dev.parvis.root.storage;

import dev.parvis.devices.vhdx.CreateRequest;
import dev.parvis.devices.vhdx.DiskType;
import dev.parvis.devices.vhdx.OpenOptions;
import dev.parvis.devices.vhdx.VhdxCreator;
import dev.parvis.devices.vhdx.VhdxDisk;
import dev.parvis.devices.vhdx.VhdxMerge;
import dev.parvis.root.vm.RequestProgress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The root's virtual disk operations over the VHDX library: create (fixed, dynamic, differencing),
 * inspect, grow, and merge a differencing disk into its parent. A differencing disk's parent is
 * looked for only next to it (the library's default parent roots). Calls block on file I/O: the
 * management layer runs them as jobs.
 */
public final class VhdxDiskService implements VirtualDiskService {

    @Override
    public void create(VirtualDiskSettings s, RequestProgress progress) throws IOException {
        progress.report(0);
        CreateRequest request = switch (s.type()) {
            case FIXED -> CreateRequest.fixed(s.maxInternalSize());
            case DYNAMIC -> CreateRequest.dynamic(s.maxInternalSize());
            case DIFFERENCING -> CreateRequest.differencing(s.parent().orElseThrow());
        };
        if (s.blockSize() != 0) {
            request = request.withBlockSize(s.blockSize());
        }
        if (s.type() != VirtualDiskSettings.Type.DIFFERENCING) {
            request = request.withSectorSizes(s.logicalSectorSize(), Math.max(4096, s.logicalSectorSize()));
        }
        VhdxCreator.create(s.path(), request);
        progress.report(100);
    }

    @Override
    public VirtualDiskSettings inspect(Path path) throws IOException {
        try (VhdxDisk disk = VhdxDisk.open(path, OpenOptions.readOnly())) {
            Optional<Path> parent = disk.type() == DiskType.DIFFERENCING ? Optional.of(disk.parent().path()) : Optional.empty();
            VirtualDiskSettings.Type type = switch (disk.type()) {
                case FIXED -> VirtualDiskSettings.Type.FIXED;
                case DYNAMIC -> VirtualDiskSettings.Type.DYNAMIC;
                case DIFFERENCING -> VirtualDiskSettings.Type.DIFFERENCING;
            };
            return new VirtualDiskSettings(path, type, disk.size(), disk.blockSize(), disk.logicalSectorSize(), parent);
        }
    }

    @Override
    public void resize(Path path, long maxInternalSize, RequestProgress progress) throws IOException {
        progress.report(0);
        try (VhdxDisk disk = VhdxDisk.open(path, OpenOptions.readWrite())) {
            if (maxInternalSize < disk.size()) {
                throw new IOException(path + ": shrinking a VHDX (" + disk.size() + " to " + maxInternalSize
                        + " bytes) is not supported");
            }
            disk.resize(maxInternalSize);
        } catch (IllegalArgumentException e) {
            throw new IOException(path + ": " + e.getMessage(), e);
        }
        progress.report(100);
    }

    /** Merges {@code child} into its parent; {@code destination} must be that parent (one level). */
    @Override
    public void merge(Path child, Path destination, RequestProgress progress) throws IOException {
        progress.report(0);
        Path parent;
        try (VhdxDisk disk = VhdxDisk.open(child, OpenOptions.readOnly())) {
            if (disk.type() != DiskType.DIFFERENCING) {
                throw new IOException(child + " is a " + disk.type() + " disk; only a differencing disk merges");
            }
            parent = disk.parent().path();
        }
        if (!Files.isSameFile(parent, destination)) {
            throw new IOException(child + " merges only into its parent " + parent + ", not " + destination);
        }
        VhdxMerge.mergeIntoParent(child, OpenOptions.readWrite());
        progress.report(100);
    }
}
