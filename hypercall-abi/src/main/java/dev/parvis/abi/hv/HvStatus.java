package dev.parvis.abi.hv;

import java.util.Map;

/**
 * HV_STATUS, the 16-bit result of a hypercall (reference section 2). An open value type: a code
 * this table does not name is still a valid value and prints as hex. hdk's per-processor-feature
 * variants (0x21-0x56) and hypervisor-internal 0x1000+ codes are deliberately not named.
 */
public record HvStatus(short raw) {
    public static final HvStatus SUCCESS = new HvStatus((short) 0x0000);
    public static final HvStatus INVALID_HYPERCALL_CODE = new HvStatus((short) 0x0002);
    public static final HvStatus INVALID_HYPERCALL_INPUT = new HvStatus((short) 0x0003);
    public static final HvStatus INVALID_ALIGNMENT = new HvStatus((short) 0x0004);
    public static final HvStatus INVALID_PARAMETER = new HvStatus((short) 0x0005);
    public static final HvStatus ACCESS_DENIED = new HvStatus((short) 0x0006);
    public static final HvStatus INVALID_PARTITION_STATE = new HvStatus((short) 0x0007);
    public static final HvStatus OPERATION_DENIED = new HvStatus((short) 0x0008);
    public static final HvStatus UNKNOWN_PROPERTY = new HvStatus((short) 0x0009);
    public static final HvStatus PROPERTY_VALUE_OUT_OF_RANGE = new HvStatus((short) 0x000A);
    public static final HvStatus INSUFFICIENT_MEMORY = new HvStatus((short) 0x000B);
    public static final HvStatus PARTITION_TOO_DEEP = new HvStatus((short) 0x000C);
    public static final HvStatus INVALID_PARTITION_ID = new HvStatus((short) 0x000D);
    public static final HvStatus INVALID_VP_INDEX = new HvStatus((short) 0x000E);
    public static final HvStatus NOT_FOUND = new HvStatus((short) 0x0010);
    public static final HvStatus INVALID_PORT_ID = new HvStatus((short) 0x0011);
    public static final HvStatus INVALID_CONNECTION_ID = new HvStatus((short) 0x0012);
    public static final HvStatus INSUFFICIENT_BUFFERS = new HvStatus((short) 0x0013);
    public static final HvStatus NOT_ACKNOWLEDGED = new HvStatus((short) 0x0014);
    public static final HvStatus INVALID_VP_STATE = new HvStatus((short) 0x0015);
    public static final HvStatus ACKNOWLEDGED = new HvStatus((short) 0x0016);
    public static final HvStatus INVALID_SAVE_RESTORE_STATE = new HvStatus((short) 0x0017);
    public static final HvStatus INVALID_SYNIC_STATE = new HvStatus((short) 0x0018);
    public static final HvStatus OBJECT_IN_USE = new HvStatus((short) 0x0019);
    public static final HvStatus INVALID_PROXIMITY_DOMAIN_INFO = new HvStatus((short) 0x001A);
    public static final HvStatus NO_DATA = new HvStatus((short) 0x001B);
    public static final HvStatus INACTIVE = new HvStatus((short) 0x001C);
    public static final HvStatus NO_RESOURCES = new HvStatus((short) 0x001D);
    public static final HvStatus FEATURE_UNAVAILABLE = new HvStatus((short) 0x001E);
    public static final HvStatus PARTIAL_PACKET = new HvStatus((short) 0x001F);
    public static final HvStatus PROCESSOR_FEATURE_NOT_SUPPORTED = new HvStatus((short) 0x0020);
    public static final HvStatus PROCESSOR_CACHE_LINE_FLUSH_SIZE_INCOMPATIBLE = new HvStatus((short) 0x0030);
    public static final HvStatus INSUFFICIENT_BUFFER = new HvStatus((short) 0x0033);
    public static final HvStatus INCOMPATIBLE_PROCESSOR = new HvStatus((short) 0x0037);
    public static final HvStatus INSUFFICIENT_DEVICE_DOMAINS = new HvStatus((short) 0x0038);
    public static final HvStatus CPUID_FEATURE_VALIDATION_ERROR = new HvStatus((short) 0x003C);
    public static final HvStatus CPUID_XSAVE_FEATURE_VALIDATION_ERROR = new HvStatus((short) 0x003D);
    public static final HvStatus PROCESSOR_STARTUP_TIMEOUT = new HvStatus((short) 0x003E);
    public static final HvStatus SMX_ENABLED = new HvStatus((short) 0x003F);
    public static final HvStatus INVALID_LP_INDEX = new HvStatus((short) 0x0041);
    public static final HvStatus INVALID_REGISTER_VALUE = new HvStatus((short) 0x0050);
    public static final HvStatus INVALID_VTL_STATE = new HvStatus((short) 0x0051);
    public static final HvStatus NX_NOT_DETECTED = new HvStatus((short) 0x0055);
    public static final HvStatus INVALID_DEVICE_ID = new HvStatus((short) 0x0057);
    public static final HvStatus INVALID_DEVICE_STATE = new HvStatus((short) 0x0058);
    public static final HvStatus PENDING_PAGE_REQUESTS = new HvStatus((short) 0x0059);
    public static final HvStatus PAGE_REQUEST_INVALID = new HvStatus((short) 0x0060);
    public static final HvStatus KEY_ALREADY_EXISTS = new HvStatus((short) 0x0065);
    public static final HvStatus DEVICE_ALREADY_IN_DOMAIN = new HvStatus((short) 0x0066);
    public static final HvStatus INVALID_CPU_GROUP_ID = new HvStatus((short) 0x006F);
    public static final HvStatus INVALID_CPU_GROUP_STATE = new HvStatus((short) 0x0070);
    public static final HvStatus OPERATION_FAILED = new HvStatus((short) 0x0071);
    public static final HvStatus NOT_ALLOWED_WITH_NESTED_VIRT_ACTIVE = new HvStatus((short) 0x0072);
    public static final HvStatus INSUFFICIENT_ROOT_MEMORY = new HvStatus((short) 0x0073);
    public static final HvStatus EVENT_BUFFER_ALREADY_FREED = new HvStatus((short) 0x0074);
    public static final HvStatus TIME_OUT = new HvStatus((short) 0x0078);
    public static final HvStatus CALL_PENDING = new HvStatus((short) 0x0079);
    public static final HvStatus VTL_ALREADY_ENABLED = new HvStatus((short) 0x0086);
    public static final HvStatus UNKNOWN_REGISTER_NAME = new HvStatus((short) 0x0087);

    private static final Map<Long, String> NAMES = NameTable.scan(HvStatus.class);

    public static HvStatus of(int raw) {
        return new HvStatus((short) raw);
    }

    public boolean isSuccess() {
        return raw == 0;
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
        return isKnown() ? name() : "HvStatus(" + name() + ")";
    }
}
