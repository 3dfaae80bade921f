package dev.parvis.devices.vhdx;

import dev.parvis.abi.vmbus.Guid;
import dev.parvis.devices.vhdx.format.VhdxLayout;
import java.nio.file.Path;

/**
 * What to create: a fixed or dynamic disk of a size, or a differencing disk over a parent (whose size,
 * sector sizes and disk id the child copies, [MS-VHDX] 2.6.1.2). {@code blockSize} 0 picks the Hyper-V
 * default (32 MiB, 2 MiB for differencing disks); {@code virtualDiskId} null picks a random one.
 */
public record CreateRequest(DiskType type, long virtualSize, long blockSize, int logicalSectorSize,
                            int physicalSectorSize, long logLength, Path parent, Guid virtualDiskId) {
    public static final long DEFAULT_BLOCK_SIZE = 32 * VhdxLayout.MIB;
    public static final long DEFAULT_DIFFERENCING_BLOCK_SIZE = 2 * VhdxLayout.MIB;
    public static final long DEFAULT_LOG_LENGTH = VhdxLayout.MIB;

    public CreateRequest {
        if (type == DiskType.DIFFERENCING ? parent == null : parent != null) {
            throw new IllegalArgumentException("a parent is given exactly for a differencing disk");
        }
        if (blockSize != 0 && (!VhdxLayout.isPowerOfTwo(blockSize) || blockSize < VhdxLayout.MIN_BLOCK_SIZE
                || blockSize > VhdxLayout.MAX_BLOCK_SIZE)) {
            throw new IllegalArgumentException("block size " + blockSize + " is not a power of two from 1 MiB to 256 MiB");
        }
        if (!VhdxLayout.isSectorSize(logicalSectorSize) || !VhdxLayout.isSectorSize(physicalSectorSize)) {
            throw new IllegalArgumentException("sector sizes must be 512 or 4096");
        }
        if (logLength < VhdxLayout.MIB || !VhdxLayout.isAligned(logLength, VhdxLayout.MIB) || logLength >= 4 * VhdxLayout.GIB) {
            throw new IllegalArgumentException("log length " + logLength + " is not a multiple of 1 MiB below 4 GiB");
        }
        if (type != DiskType.DIFFERENCING && (virtualSize <= 0 || virtualSize % logicalSectorSize != 0
                || virtualSize > VhdxLayout.MAX_VIRTUAL_DISK_SIZE)) {
            throw new IllegalArgumentException("virtual size " + virtualSize + " is not a positive multiple of "
                    + logicalSectorSize + " up to 64 TiB");
        }
    }

    public static CreateRequest dynamic(long virtualSize) {
        return new CreateRequest(DiskType.DYNAMIC, virtualSize, 0, 512, 4096, DEFAULT_LOG_LENGTH, null, null);
    }

    public static CreateRequest fixed(long virtualSize) {
        return new CreateRequest(DiskType.FIXED, virtualSize, 0, 512, 4096, DEFAULT_LOG_LENGTH, null, null);
    }

    public static CreateRequest differencing(Path parent) {
        return new CreateRequest(DiskType.DIFFERENCING, 0, 0, 512, 512, DEFAULT_LOG_LENGTH, parent, null);
    }

    public CreateRequest withBlockSize(long size) {
        return new CreateRequest(type, virtualSize, size, logicalSectorSize, physicalSectorSize, logLength, parent, virtualDiskId);
    }

    public CreateRequest withSectorSizes(int logical, int physical) {
        return new CreateRequest(type, virtualSize, blockSize, logical, physical, logLength, parent, virtualDiskId);
    }

    public CreateRequest withLogLength(long length) {
        return new CreateRequest(type, virtualSize, blockSize, logicalSectorSize, physicalSectorSize, length, parent, virtualDiskId);
    }

    public CreateRequest withVirtualDiskId(Guid id) {
        return new CreateRequest(type, virtualSize, blockSize, logicalSectorSize, physicalSectorSize, logLength, parent, id);
    }

    /** The block size to use: the requested one or the default for the type. */
    long effectiveBlockSize() {
        if (blockSize != 0) {
            return blockSize;
        }
        return type == DiskType.DIFFERENCING ? DEFAULT_DIFFERENCING_BLOCK_SIZE : DEFAULT_BLOCK_SIZE;
    }
}
