package dev.parvis.abi.ic;

/**
 * IC numbers shared by host and guest (reference section 9; docs/ic.md); C sees them as
 * {@code IC_<NAME>}.
 */
public final class IcConstants {
    /** icmsg header flags. */
    public static final byte FLAG_TRANSACTION = 1;
    public static final byte FLAG_REQUEST = 2;
    public static final byte FLAG_RESPONSE = 4;

    /** icmsg header status values (HRESULTs). */
    public static final int S_OK = 0;
    public static final int E_FAIL = 0x80004005;
    public static final int NO_MORE_ITEMS = 0x80070103;
    public static final int NOT_SUPPORTED = 0x80070032;
    public static final int INVALIDARG = 0x80070057;
    public static final int NOT_FOUND = 0x80041002;
    public static final int ALREADY_EXISTS = 0x80070050;
    public static final int DISK_FULL = 0x80070070;

    /** Pipe header type of every IC packet. */
    public static final int PIPE_PACKET_DATA = 1;
    /** The largest IC message (pipe header excluded) either side accepts. */
    public static final int MAX_MESSAGE_SIZE = 13312;
    /** Offset of the icmsg header inside the in-band payload, after the 8-byte pipe header. */
    public static final int HEADER_OFFSET = 8;

    /** Time sync flags. */
    public static final byte TIMESYNC_PROBE = 0;
    public static final byte TIMESYNC_SYNC = 1;
    public static final byte TIMESYNC_SAMPLE = 2;
    /** 100 ns units from 1601-01-01 to 1970-01-01 (Linux WLTIMEDELTA). */
    public static final long WINDOWS_EPOCH_OFFSET = 116444736000000000L;

    /** KVP operations. */
    public static final byte KVP_OP_GET = 0;
    public static final byte KVP_OP_SET = 1;
    public static final byte KVP_OP_DELETE = 2;
    public static final byte KVP_OP_ENUMERATE = 3;
    /** KVP pools. */
    public static final byte KVP_POOL_EXTERNAL = 0;
    public static final byte KVP_POOL_GUEST = 1;
    public static final byte KVP_POOL_AUTO = 2;
    public static final byte KVP_POOL_AUTO_EXTERNAL = 3;
    /** KVP value types. */
    public static final int KVP_REG_SZ = 1;
    public static final int KVP_REG_DWORD = 4;
    public static final int KVP_REG_QWORD = 11;
    /** KVP field capacities in bytes. */
    public static final int KVP_MAX_KEY_SIZE = 512;
    public static final int KVP_MAX_VALUE_SIZE = 2048;

    /** File copy operations. */
    public static final int FCOPY_START = 0;
    public static final int FCOPY_WRITE = 1;
    public static final int FCOPY_COMPLETE = 2;
    public static final int FCOPY_CANCEL = 3;
    /** File copy START flags. */
    public static final int FCOPY_FLAG_OVERWRITE = 1;
    public static final int FCOPY_FLAG_CREATE_PATH = 2;
    /** Largest data chunk of one WRITE. */
    public static final int FCOPY_MAX_DATA = 6144;

    /** Shutdown flags. */
    public static final int SHUTDOWN_FLAG_FORCE = 1;
    public static final int SHUTDOWN_FLAG_RESTART = 2;
    public static final int SHUTDOWN_FLAG_HIBERNATE = 4;

    /** Heartbeat application state "healthy". */
    public static final int HEARTBEAT_STATE_HEALTHY = 1;

    private IcConstants() {
    }
}
