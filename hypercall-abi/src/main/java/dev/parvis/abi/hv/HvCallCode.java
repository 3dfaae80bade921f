package dev.parvis.abi.hv;

import java.util.Map;

/**
 * A hypercall call code, bits 0-15 of the control word (reference sections 3.1 and 3.2). Codes
 * 0x80-0x86 stay unnamed because the sources disagree on them.
 */
public record HvCallCode(short raw) {
    public static final HvCallCode SWITCH_VIRTUAL_ADDRESS_SPACE = new HvCallCode((short) 0x0001);
    public static final HvCallCode FLUSH_VIRTUAL_ADDRESS_SPACE = new HvCallCode((short) 0x0002);
    public static final HvCallCode FLUSH_VIRTUAL_ADDRESS_LIST = new HvCallCode((short) 0x0003);
    public static final HvCallCode GET_LOGICAL_PROCESSOR_RUN_TIME = new HvCallCode((short) 0x0004);
    public static final HvCallCode NOTIFY_LONG_SPIN_WAIT = new HvCallCode((short) 0x0008);
    public static final HvCallCode PARKED_VIRTUAL_PROCESSORS = new HvCallCode((short) 0x0009);
    public static final HvCallCode INVOKE_HYPERVISOR_DEBUGGER = new HvCallCode((short) 0x000A);
    public static final HvCallCode SEND_SYNTHETIC_CLUSTER_IPI = new HvCallCode((short) 0x000B);
    public static final HvCallCode MODIFY_VTL_PROTECTION_MASK = new HvCallCode((short) 0x000C);
    public static final HvCallCode ENABLE_PARTITION_VTL = new HvCallCode((short) 0x000D);
    public static final HvCallCode DISABLE_PARTITION_VTL = new HvCallCode((short) 0x000E);
    public static final HvCallCode ENABLE_VP_VTL = new HvCallCode((short) 0x000F);
    public static final HvCallCode DISABLE_VP_VTL = new HvCallCode((short) 0x0010);
    public static final HvCallCode VTL_CALL = new HvCallCode((short) 0x0011);
    public static final HvCallCode VTL_RETURN = new HvCallCode((short) 0x0012);
    public static final HvCallCode FLUSH_VIRTUAL_ADDRESS_SPACE_EX = new HvCallCode((short) 0x0013);
    public static final HvCallCode FLUSH_VIRTUAL_ADDRESS_LIST_EX = new HvCallCode((short) 0x0014);
    public static final HvCallCode SEND_SYNTHETIC_CLUSTER_IPI_EX = new HvCallCode((short) 0x0015);
    public static final HvCallCode CREATE_PARTITION = new HvCallCode((short) 0x0040);
    public static final HvCallCode INITIALIZE_PARTITION = new HvCallCode((short) 0x0041);
    public static final HvCallCode FINALIZE_PARTITION = new HvCallCode((short) 0x0042);
    public static final HvCallCode DELETE_PARTITION = new HvCallCode((short) 0x0043);
    public static final HvCallCode GET_PARTITION_PROPERTY = new HvCallCode((short) 0x0044);
    public static final HvCallCode SET_PARTITION_PROPERTY = new HvCallCode((short) 0x0045);
    public static final HvCallCode GET_PARTITION_ID = new HvCallCode((short) 0x0046);
    public static final HvCallCode GET_NEXT_CHILD_PARTITION = new HvCallCode((short) 0x0047);
    public static final HvCallCode DEPOSIT_MEMORY = new HvCallCode((short) 0x0048);
    public static final HvCallCode WITHDRAW_MEMORY = new HvCallCode((short) 0x0049);
    public static final HvCallCode GET_MEMORY_BALANCE = new HvCallCode((short) 0x004A);
    public static final HvCallCode MAP_GPA_PAGES = new HvCallCode((short) 0x004B);
    public static final HvCallCode UNMAP_GPA_PAGES = new HvCallCode((short) 0x004C);
    public static final HvCallCode INSTALL_INTERCEPT = new HvCallCode((short) 0x004D);
    public static final HvCallCode CREATE_VP = new HvCallCode((short) 0x004E);
    public static final HvCallCode DELETE_VP = new HvCallCode((short) 0x004F);
    public static final HvCallCode GET_VP_REGISTERS = new HvCallCode((short) 0x0050);
    public static final HvCallCode SET_VP_REGISTERS = new HvCallCode((short) 0x0051);
    public static final HvCallCode TRANSLATE_VIRTUAL_ADDRESS = new HvCallCode((short) 0x0052);
    public static final HvCallCode READ_GPA = new HvCallCode((short) 0x0053);
    public static final HvCallCode WRITE_GPA = new HvCallCode((short) 0x0054);
    public static final HvCallCode ASSERT_VIRTUAL_INTERRUPT_DEPRECATED = new HvCallCode((short) 0x0055);
    public static final HvCallCode CLEAR_VIRTUAL_INTERRUPT = new HvCallCode((short) 0x0056);
    public static final HvCallCode CREATE_PORT_DEPRECATED = new HvCallCode((short) 0x0057);
    public static final HvCallCode DELETE_PORT = new HvCallCode((short) 0x0058);
    public static final HvCallCode CONNECT_PORT_DEPRECATED = new HvCallCode((short) 0x0059);
    public static final HvCallCode GET_PORT_PROPERTY = new HvCallCode((short) 0x005A);
    public static final HvCallCode DISCONNECT_PORT = new HvCallCode((short) 0x005B);
    public static final HvCallCode POST_MESSAGE = new HvCallCode((short) 0x005C);
    public static final HvCallCode SIGNAL_EVENT = new HvCallCode((short) 0x005D);
    public static final HvCallCode SAVE_PARTITION_STATE = new HvCallCode((short) 0x005E);
    public static final HvCallCode RESTORE_PARTITION_STATE = new HvCallCode((short) 0x005F);
    public static final HvCallCode POST_DEBUG_DATA = new HvCallCode((short) 0x0069);
    public static final HvCallCode RETRIEVE_DEBUG_DATA = new HvCallCode((short) 0x006A);
    public static final HvCallCode RESET_DEBUG_SESSION = new HvCallCode((short) 0x006B);
    /** HVCALL_MAP_STATS_PAGE 0x006c and HVCALL_UNMAP_STATS_PAGE 0x006d in Linux include/hyperv/hvgdk_mini.h. */
    public static final HvCallCode MAP_STATS_PAGE = new HvCallCode((short) 0x006C);
    public static final HvCallCode UNMAP_STATS_PAGE = new HvCallCode((short) 0x006D);
    public static final HvCallCode MAP_SPARSE_GPA_PAGES = new HvCallCode((short) 0x006E);
    public static final HvCallCode SET_SYSTEM_PROPERTY = new HvCallCode((short) 0x006F);
    public static final HvCallCode SET_PORT_PROPERTY = new HvCallCode((short) 0x0070);
    public static final HvCallCode OUTPUT_DEBUG_CHARACTER = new HvCallCode((short) 0x0071);
    public static final HvCallCode ADD_LOGICAL_PROCESSOR = new HvCallCode((short) 0x0076);
    public static final HvCallCode REMOVE_LOGICAL_PROCESSOR = new HvCallCode((short) 0x0077);
    public static final HvCallCode QUERY_NUMA_DISTANCE = new HvCallCode((short) 0x0078);
    public static final HvCallCode SET_LOGICAL_PROCESSOR_PROPERTY = new HvCallCode((short) 0x0079);
    public static final HvCallCode GET_LOGICAL_PROCESSOR_PROPERTY = new HvCallCode((short) 0x007A);
    public static final HvCallCode GET_SYSTEM_PROPERTY = new HvCallCode((short) 0x007B);
    public static final HvCallCode MAP_DEVICE_INTERRUPT = new HvCallCode((short) 0x007C);
    public static final HvCallCode UNMAP_DEVICE_INTERRUPT = new HvCallCode((short) 0x007D);
    public static final HvCallCode RETARGET_DEVICE_INTERRUPT = new HvCallCode((short) 0x007E);
    public static final HvCallCode RETARGET_ROOT_DEVICE_INTERRUPT = new HvCallCode((short) 0x007F);
    public static final HvCallCode ATTACH_DEVICE = new HvCallCode((short) 0x0082);
    public static final HvCallCode DETACH_DEVICE = new HvCallCode((short) 0x0083);
    public static final HvCallCode NOTIFY_PARTITION_EVENT = new HvCallCode((short) 0x0087);
    public static final HvCallCode GET_LOGICAL_PROCESSOR_REGISTERS = new HvCallCode((short) 0x0088);
    public static final HvCallCode SET_LOGICAL_PROCESSOR_REGISTERS = new HvCallCode((short) 0x0089);
    public static final HvCallCode QUERY_ASSOCIATED_LPS_FOR_MCA = new HvCallCode((short) 0x008A);
    public static final HvCallCode NOTIFY_PORT_RING_EMPTY = new HvCallCode((short) 0x008B);
    public static final HvCallCode INJECT_SYNTHETIC_MACHINE_CHECK = new HvCallCode((short) 0x008C);
    public static final HvCallCode SCRUB_PARTITION = new HvCallCode((short) 0x008D);
    public static final HvCallCode COLLECT_LIVEDUMP = new HvCallCode((short) 0x008E);
    public static final HvCallCode DISABLE_HYPERVISOR = new HvCallCode((short) 0x008F);
    public static final HvCallCode MODIFY_SPARSE_GPA_PAGES = new HvCallCode((short) 0x0090);
    public static final HvCallCode REGISTER_INTERCEPT_RESULT = new HvCallCode((short) 0x0091);
    public static final HvCallCode UNREGISTER_INTERCEPT_RESULT = new HvCallCode((short) 0x0092);
    public static final HvCallCode ASSERT_VIRTUAL_INTERRUPT = new HvCallCode((short) 0x0094);
    public static final HvCallCode CREATE_PORT = new HvCallCode((short) 0x0095);
    public static final HvCallCode CONNECT_PORT = new HvCallCode((short) 0x0096);
    public static final HvCallCode GET_SPA_PAGE_LIST = new HvCallCode((short) 0x0097);
    public static final HvCallCode START_VIRTUAL_PROCESSOR = new HvCallCode((short) 0x0099);
    public static final HvCallCode GET_VP_INDEX_FROM_APIC_ID = new HvCallCode((short) 0x009A);
    public static final HvCallCode TRANSLATE_VIRTUAL_ADDRESS_EX = new HvCallCode((short) 0x00AC);
    public static final HvCallCode CHECK_FOR_IO_INTERCEPT = new HvCallCode((short) 0x00AD);
    public static final HvCallCode FLUSH_GUEST_PHYSICAL_ADDRESS_SPACE = new HvCallCode((short) 0x00AF);
    public static final HvCallCode FLUSH_GUEST_PHYSICAL_ADDRESS_LIST = new HvCallCode((short) 0x00B0);
    public static final HvCallCode SIGNAL_EVENT_DIRECT = new HvCallCode((short) 0x00C0);
    public static final HvCallCode POST_MESSAGE_DIRECT = new HvCallCode((short) 0x00C1);
    public static final HvCallCode DISPATCH_VP = new HvCallCode((short) 0x00C2);
    public static final HvCallCode GET_GPA_PAGES_ACCESS_STATES = new HvCallCode((short) 0x00C9);
    public static final HvCallCode CHECK_SPARSE_GPA_PAGE_VTL_ACCESS = new HvCallCode((short) 0x00D4);
    public static final HvCallCode ACQUIRE_SPARSE_SPA_PAGE_HOST_ACCESS = new HvCallCode((short) 0x00D7);
    public static final HvCallCode RELEASE_SPARSE_SPA_PAGE_HOST_ACCESS = new HvCallCode((short) 0x00D8);
    public static final HvCallCode ACCEPT_GPA_PAGES = new HvCallCode((short) 0x00D9);
    public static final HvCallCode UNACCEPT_GPA_PAGES = new HvCallCode((short) 0x00DA);
    public static final HvCallCode MODIFY_SPARSE_GPA_PAGE_HOST_VISIBILITY = new HvCallCode((short) 0x00DB);
    public static final HvCallCode MAP_VP_STATE_PAGE = new HvCallCode((short) 0x00E1);
    public static final HvCallCode UNMAP_VP_STATE_PAGE = new HvCallCode((short) 0x00E2);
    public static final HvCallCode GET_VP_STATE = new HvCallCode((short) 0x00E3);
    public static final HvCallCode SET_VP_STATE = new HvCallCode((short) 0x00E4);
    public static final HvCallCode GET_VP_CPUID_VALUES = new HvCallCode((short) 0x00F4);
    public static final HvCallCode RESTORE_PARTITION_TIME = new HvCallCode((short) 0x0103);
    public static final HvCallCode MMIO_READ = new HvCallCode((short) 0x0106);
    public static final HvCallCode MMIO_WRITE = new HvCallCode((short) 0x0107);
    public static final HvCallCode PIN_GPA_PAGE_RANGES = new HvCallCode((short) 0x0112);
    public static final HvCallCode UNPIN_GPA_PAGE_RANGES = new HvCallCode((short) 0x0113);
    public static final HvCallCode QUERY_SPARSE_GPA_PAGE_HOST_VISIBILITY = new HvCallCode((short) 0x011C);
    public static final HvCallCode EXT_QUERY_CAPABILITIES = new HvCallCode((short) 0x8001);
    public static final HvCallCode EXT_MEMORY_HEAT_HINT = new HvCallCode((short) 0x8003);
    public static final HvCallCode VBS_VM_CALL_REPORT = new HvCallCode((short) 0xC001);

    private static final Map<Long, String> NAMES = NameTable.scan(HvCallCode.class);

    public static HvCallCode of(int raw) {
        return new HvCallCode((short) raw);
    }

    /** The code as the unsigned 16-bit number the guest put in the control word. */
    public int value() {
        return raw & 0xFFFF;
    }

    /** The constant's name, or the raw value in hex when this table does not know it. */
    public String name() {
        String name = NAMES.get((long) raw);
        return name != null ? name : "0x%04X".formatted(raw & 0xFFFF);
    }

    public boolean isKnown() {
        return NAMES.containsKey((long) raw);
    }

    @Override
    public String toString() {
        return isKnown() ? name() : "HvCallCode(" + name() + ")";
    }
}
