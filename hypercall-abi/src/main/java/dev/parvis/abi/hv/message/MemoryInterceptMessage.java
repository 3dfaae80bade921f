package dev.parvis.abi.hv.message;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Arrays;
import java.util.Objects;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.U8;
import static dev.parvis.abi.layout.LittleEndian.bytes;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;
import static dev.parvis.abi.layout.LittleEndian.u8;

/**
 * Payload of UNMAPPED_GPA and GPA_INTERCEPT messages, 80 bytes (Linux
 * hv_x64_memory_intercept_message, reference section 5.2). memory_access_info bit 0 says the GVA is
 * valid. tpr_priority and the reserved byte are not modelled and are written as zero.
 */
public record MemoryInterceptMessage(InterceptHeader header, int cacheType, byte instructionByteCount, byte memoryAccessInfo, long guestVirtualAddress, long guestPhysicalAddress, byte[] instructionBytes16) {
    public static final int SIZE = 80;

    public static final int ACCESS_INFO_GVA_VALID = 0x1;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            InterceptHeader.LAYOUT.withName("header"),
            U32.withName("cache_type"),
            U8.withName("instruction_byte_count"),
            U8.withName("memory_access_info"),
            U8.withName("tpr_priority"),
            U8.withName("reserved"),
            U64.withName("guest_virtual_address"),
            U64.withName("guest_physical_address"),
            bytes(16, "instruction_bytes"));

    private static final long HEADER = offset(LAYOUT, "header");
    private static final long CACHE_TYPE = offset(LAYOUT, "cache_type");
    private static final long INSTRUCTION_BYTE_COUNT = offset(LAYOUT, "instruction_byte_count");
    private static final long MEMORY_ACCESS_INFO = offset(LAYOUT, "memory_access_info");
    private static final long GUEST_VIRTUAL_ADDRESS = offset(LAYOUT, "guest_virtual_address");
    private static final long GUEST_PHYSICAL_ADDRESS = offset(LAYOUT, "guest_physical_address");
    private static final long INSTRUCTION_BYTES = offset(LAYOUT, "instruction_bytes");

    public MemoryInterceptMessage {
        Objects.requireNonNull(header, "header");
        if (instructionBytes16.length > 16) {
            throw new IllegalArgumentException("instructionBytes16 of " + instructionBytes16.length + " bytes exceeds 16");
        }
        instructionBytes16 = instructionBytes16.clone();
    }

    public static MemoryInterceptMessage read(MemorySegment s) {
        InterceptHeader header = InterceptHeader.read(s.asSlice(HEADER, InterceptHeader.LAYOUT.byteSize()));
        int cacheType = u32(s, CACHE_TYPE);
        byte instructionByteCount = u8(s, INSTRUCTION_BYTE_COUNT);
        byte memoryAccessInfo = u8(s, MEMORY_ACCESS_INFO);
        long guestVirtualAddress = u64(s, GUEST_VIRTUAL_ADDRESS);
        long guestPhysicalAddress = u64(s, GUEST_PHYSICAL_ADDRESS);
        byte[] instructionBytes16 = bytes(s, INSTRUCTION_BYTES, 16);
        return new MemoryInterceptMessage(header, cacheType, instructionByteCount, memoryAccessInfo, guestVirtualAddress, guestPhysicalAddress, instructionBytes16);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        header.write(s.asSlice(HEADER, InterceptHeader.LAYOUT.byteSize()));
        u32(s, CACHE_TYPE, cacheType);
        u8(s, INSTRUCTION_BYTE_COUNT, instructionByteCount);
        u8(s, MEMORY_ACCESS_INFO, memoryAccessInfo);
        u64(s, GUEST_VIRTUAL_ADDRESS, guestVirtualAddress);
        u64(s, GUEST_PHYSICAL_ADDRESS, guestPhysicalAddress);
        bytes(s, INSTRUCTION_BYTES, 16, instructionBytes16);
    }

    @Override
    public byte[] instructionBytes16() {
        return instructionBytes16.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MemoryInterceptMessage r && Objects.equals(header, r.header)
                && cacheType == r.cacheType
                && instructionByteCount == r.instructionByteCount
                && memoryAccessInfo == r.memoryAccessInfo
                && guestVirtualAddress == r.guestVirtualAddress
                && guestPhysicalAddress == r.guestPhysicalAddress
                && Arrays.equals(instructionBytes16, r.instructionBytes16);
    }

    @Override
    public int hashCode() {
        return Objects.hash(header, cacheType, instructionByteCount, memoryAccessInfo, guestVirtualAddress, guestPhysicalAddress, Arrays.hashCode(instructionBytes16));
    }

    @Override
    public String toString() {
        return "MemoryInterceptMessage[header=" + header + ", cacheType=" + cacheType + ", instructionByteCount=" + instructionByteCount + ", memoryAccessInfo=" + memoryAccessInfo + ", guestVirtualAddress=" + guestVirtualAddress + ", guestPhysicalAddress=" + guestPhysicalAddress + ", instructionBytes16=" + instructionBytes16.length + " B]";
    }
}
