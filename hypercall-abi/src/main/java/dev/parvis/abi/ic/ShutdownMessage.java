package dev.parvis.abi.ic;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.bytes;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * SHUTDOWN body (reference section 9.5). {@code flags} are {@code IcConstants.SHUTDOWN_FLAG_*};
 * Parvis writes {@code displayMessage} as UTF-8 with a NUL, truncated to fit.
 */
public record ShutdownMessage(int reasonCode, int timeoutSeconds, int flags, String displayMessage) {
    public static final int DISPLAY_MESSAGE_SIZE = 2048;
    /** SHTDN_REASON_FLAG_PLANNED. */
    public static final int REASON_PLANNED = 0x80000000;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("reason_code"),
            U32.withName("timeout_seconds"),
            U32.withName("flags"),
            bytes(DISPLAY_MESSAGE_SIZE, "display_message"));
    public static final int SIZE = (int) LAYOUT.byteSize();

    private static final long REASON_CODE = offset(LAYOUT, "reason_code");
    private static final long TIMEOUT_SECONDS = offset(LAYOUT, "timeout_seconds");
    private static final long FLAGS = offset(LAYOUT, "flags");
    private static final long DISPLAY_MESSAGE = offset(LAYOUT, "display_message");

    public static ShutdownMessage read(MemorySegment s) {
        byte[] text = bytes(s, DISPLAY_MESSAGE, DISPLAY_MESSAGE_SIZE);
        int end = 0;
        while (end < text.length && text[end] != 0) {
            end++;
        }
        return new ShutdownMessage(u32(s, REASON_CODE), u32(s, TIMEOUT_SECONDS), u32(s, FLAGS),
                new String(text, 0, end, StandardCharsets.UTF_8));
    }

    public void write(MemorySegment s) {
        u32(s, REASON_CODE, reasonCode);
        u32(s, TIMEOUT_SECONDS, timeoutSeconds);
        u32(s, FLAGS, flags);
        byte[] text = displayMessage.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(text.length, DISPLAY_MESSAGE_SIZE - 1);
        bytes(s, DISPLAY_MESSAGE, DISPLAY_MESSAGE_SIZE, java.util.Arrays.copyOf(text, length));
    }
}
