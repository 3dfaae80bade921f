package dev.parvis.devices.vhdx.format;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * The File Parameters item ([MS-VHDX] 2.6.2.1): block size and the LeaveBlockAllocated (fixed disk)
 * and HasParent (differencing disk) flags. {@code blockSize} is unsigned 32-bit.
 */
public record FileParameters(long blockSize, boolean leaveBlockAllocated, boolean hasParent) {
    public static final int SIZE = 8;
    public static final int LEAVE_BLOCK_ALLOCATED = 0x1;
    public static final int HAS_PARENT = 0x2;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("block_size"),
            U32.withName("flags"));

    private static final long BLOCK_SIZE = offset(LAYOUT, "block_size");
    private static final long FLAGS = offset(LAYOUT, "flags");

    /** Reads and checks the block size: a power of two from 1 MiB to 256 MiB. */
    public static FileParameters read(MemorySegment s) throws VhdxFormatException {
        long blockSize = Integer.toUnsignedLong(u32(s, BLOCK_SIZE));
        int flags = u32(s, FLAGS);
        if (!VhdxLayout.isPowerOfTwo(blockSize) || blockSize < VhdxLayout.MIN_BLOCK_SIZE
                || blockSize > VhdxLayout.MAX_BLOCK_SIZE) {
            throw new VhdxFormatException(VhdxStructure.FILE_PARAMETERS, "BlockSize",
                    blockSize + " is not a power of two from 1 MiB to 256 MiB");
        }
        return new FileParameters(blockSize, (flags & LEAVE_BLOCK_ALLOCATED) != 0, (flags & HAS_PARENT) != 0);
    }

    public void write(MemorySegment s) {
        u32(s, BLOCK_SIZE, (int) blockSize);
        u32(s, FLAGS, (leaveBlockAllocated ? LEAVE_BLOCK_ALLOCATED : 0) | (hasParent ? HAS_PARENT : 0));
    }

    public byte[] toBytes() {
        byte[] out = new byte[SIZE];
        write(MemorySegment.ofArray(out));
        return out;
    }
}
