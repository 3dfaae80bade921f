package dev.parvis.abi.boot;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * {@code struct parvis_boot_info}, 104 bytes at {@link BootProtocol#BOOT_INFO_GPA} (README.md,
 * "Boot protocol"). magic, version and size are not components: {@link #write} fills them and
 * {@link #read} checks them.
 */
public record BootInfo(long partitionId, int vpIndex, int vpCount, long hypercallPageGpa, long ramSize,
                       long imageBaseGpa, long imageEndGpa, long freeBaseGpa, long stackBaseGpa, long stackTopGpa,
                       int rootMessageConnectionId, int rootEventConnectionId, int rootMessageSint) {
    /** "PRVSBOOT" read as a little-endian u64. */
    public static final long MAGIC = 0x544F_4F42_5356_5250L;
    public static final int VERSION = 1;
    public static final int SIZE = 104;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("magic"),
            U32.withName("version"),
            U32.withName("size"),
            U64.withName("partition_id"),
            U32.withName("vp_index"),
            U32.withName("vp_count"),
            U64.withName("hypercall_page_gpa"),
            U64.withName("ram_size"),
            U64.withName("image_base_gpa"),
            U64.withName("image_end_gpa"),
            U64.withName("free_base_gpa"),
            U64.withName("stack_base_gpa"),
            U64.withName("stack_top_gpa"),
            U32.withName("root_message_connection_id"),
            U32.withName("root_event_connection_id"),
            U32.withName("root_message_sint"),
            U32.withName("reserved"));

    private static final long MAGIC_AT = offset(LAYOUT, "magic");
    private static final long VERSION_AT = offset(LAYOUT, "version");
    private static final long SIZE_AT = offset(LAYOUT, "size");
    private static final long PARTITION_ID = offset(LAYOUT, "partition_id");
    private static final long VP_INDEX = offset(LAYOUT, "vp_index");
    private static final long VP_COUNT = offset(LAYOUT, "vp_count");
    private static final long HYPERCALL_PAGE_GPA = offset(LAYOUT, "hypercall_page_gpa");
    private static final long RAM_SIZE = offset(LAYOUT, "ram_size");
    private static final long IMAGE_BASE_GPA = offset(LAYOUT, "image_base_gpa");
    private static final long IMAGE_END_GPA = offset(LAYOUT, "image_end_gpa");
    private static final long FREE_BASE_GPA = offset(LAYOUT, "free_base_gpa");
    private static final long STACK_BASE_GPA = offset(LAYOUT, "stack_base_gpa");
    private static final long STACK_TOP_GPA = offset(LAYOUT, "stack_top_gpa");
    private static final long ROOT_MESSAGE_CONNECTION_ID = offset(LAYOUT, "root_message_connection_id");
    private static final long ROOT_EVENT_CONNECTION_ID = offset(LAYOUT, "root_event_connection_id");
    private static final long ROOT_MESSAGE_SINT = offset(LAYOUT, "root_message_sint");

    /** @throws IllegalArgumentException if magic, version or size do not describe this structure */
    public static BootInfo read(MemorySegment s) {
        checkHeader(s);
        return new BootInfo(u64(s, PARTITION_ID), u32(s, VP_INDEX), u32(s, VP_COUNT),
                u64(s, HYPERCALL_PAGE_GPA), u64(s, RAM_SIZE), u64(s, IMAGE_BASE_GPA), u64(s, IMAGE_END_GPA),
                u64(s, FREE_BASE_GPA), u64(s, STACK_BASE_GPA), u64(s, STACK_TOP_GPA),
                u32(s, ROOT_MESSAGE_CONNECTION_ID), u32(s, ROOT_EVENT_CONNECTION_ID), u32(s, ROOT_MESSAGE_SINT));
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u64(s, MAGIC_AT, MAGIC);
        u32(s, VERSION_AT, VERSION);
        u32(s, SIZE_AT, SIZE);
        u64(s, PARTITION_ID, partitionId);
        u32(s, VP_INDEX, vpIndex);
        u32(s, VP_COUNT, vpCount);
        u64(s, HYPERCALL_PAGE_GPA, hypercallPageGpa);
        u64(s, RAM_SIZE, ramSize);
        u64(s, IMAGE_BASE_GPA, imageBaseGpa);
        u64(s, IMAGE_END_GPA, imageEndGpa);
        u64(s, FREE_BASE_GPA, freeBaseGpa);
        u64(s, STACK_BASE_GPA, stackBaseGpa);
        u64(s, STACK_TOP_GPA, stackTopGpa);
        u32(s, ROOT_MESSAGE_CONNECTION_ID, rootMessageConnectionId);
        u32(s, ROOT_EVENT_CONNECTION_ID, rootEventConnectionId);
        u32(s, ROOT_MESSAGE_SINT, rootMessageSint);
    }

    /** A larger size is accepted so that a later version may append fields. */
    private static void checkHeader(MemorySegment s) {
        long magic = u64(s, MAGIC_AT);
        if (magic != MAGIC) {
            throw new IllegalArgumentException("boot info magic 0x%016X, expected 0x%016X".formatted(magic, MAGIC));
        }
        int version = u32(s, VERSION_AT);
        if (version != VERSION) {
            throw new IllegalArgumentException("unsupported boot info version " + version);
        }
        int size = u32(s, SIZE_AT);
        if (Integer.compareUnsigned(size, SIZE) < 0) {
            throw new IllegalArgumentException("boot info size " + Integer.toUnsignedString(size) + " < " + SIZE);
        }
    }
}
