package dev.parvis.abi.hv.input;

import dev.parvis.abi.hv.HvMessage;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.List;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;
import static dev.parvis.abi.layout.LittleEndian.u8;

/**
 * The data of VP state type {@link VpStateHeader#TYPE_PARVIS_PENDING_MESSAGES} (a Parvis extension:
 * Hyper-V saves the same state inside its opaque partition-state blob). The caller's pages, taken
 * in PFN-list order as one buffer, hold a 16-byte header {@code u32 count, u32 entry_size (272),
 * u64 reserved}, then {@code count} entries: {@code u32 kind, u32 sint, u64 sender} and the 256-byte
 * HV_MESSAGE. Kind {@link #KIND_QUEUED}: queued behind the VP's SIM slot {@code sint}, counted in
 * {@code sender}'s share of that queue; kind {@link #KIND_INTERCEPT}: an intercept report about the VP
 * waiting for room in the root's queue ({@code sint} is the root's intercept SINT, {@code sender}
 * the partition itself). Entries are in delivery order. When GetVpState's pages are too few, the
 * call fails with INSUFFICIENT_BUFFER and only the header is written, its count saying how many
 * entries there are.
 */
public record PendingMessages(List<Entry> entries) {
    public static final int KIND_QUEUED = 0;
    public static final int KIND_INTERCEPT = 1;
    /** Pages one transfer may name: room for 240 entries, more than every queue bound of a VP allows from a few senders. */
    public static final int MAX_PAGES = 16;

    public static final StructLayout HEADER = MemoryLayout.structLayout(
            U32.withName("count"),
            U32.withName("entry_size"),
            U64.withName("reserved"));
    public static final StructLayout ENTRY = MemoryLayout.structLayout(
            U32.withName("kind"),
            U32.withName("sint"),
            U64.withName("sender"),
            HvMessage.LAYOUT.withName("message"));
    public static final int HEADER_SIZE = (int) HEADER.byteSize();
    public static final int ENTRY_SIZE = (int) ENTRY.byteSize();

    private static final long COUNT = offset(HEADER, "count");
    private static final long ENTRY_SIZE_FIELD = offset(HEADER, "entry_size");
    private static final long RESERVED = offset(HEADER, "reserved");
    private static final long KIND = offset(ENTRY, "kind");
    private static final long SINT = offset(ENTRY, "sint");
    private static final long SENDER = offset(ENTRY, "sender");
    private static final long MESSAGE = offset(ENTRY, "message");
    private static final long PAYLOAD_SIZE = offset(HvMessage.LAYOUT, "payload_size");

    /** One held message. */
    public record Entry(int kind, int sint, long sender, HvMessage message) {}

    public PendingMessages {
        entries = List.copyOf(entries);
    }

    /** Bytes the header and every entry take. */
    public long byteSize() {
        return HEADER_SIZE + (long) ENTRY_SIZE * entries.size();
    }

    /** Writes the header and the entries into {@code s}, which holds at least {@link #byteSize()} bytes. */
    public void write(MemorySegment s) {
        writeHeader(s, entries.size());
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            MemorySegment at = s.asSlice(HEADER_SIZE + (long) i * ENTRY_SIZE, ENTRY_SIZE);
            clear(at, ENTRY);
            u32(at, KIND, e.kind());
            u32(at, SINT, e.sint());
            u64(at, SENDER, e.sender());
            e.message().write(at.asSlice(MESSAGE, HvMessage.SIZE));
        }
    }

    /** Writes only the header: what GetVpState leaves when the caller's pages are too few. */
    public static void writeHeader(MemorySegment s, int count) {
        clear(s, HEADER);
        u32(s, COUNT, count);
        u32(s, ENTRY_SIZE_FIELD, ENTRY_SIZE);
    }

    /** The entry count a header announces (unsigned; may exceed what the buffer holds). */
    public static long announcedCount(MemorySegment s) {
        return Integer.toUnsignedLong(u32(s, COUNT));
    }

    /**
     * Reads a buffer a caller filled; every field a hostile caller controls is checked.
     *
     * @throws IllegalArgumentException naming the first thing that is wrong
     */
    public static PendingMessages read(MemorySegment s) {
        if (s.byteSize() < HEADER_SIZE) {
            throw new IllegalArgumentException("buffer of " + s.byteSize() + " bytes has no header");
        }
        long count = announcedCount(s);
        if (u32(s, ENTRY_SIZE_FIELD) != ENTRY_SIZE || u64(s, RESERVED) != 0) {
            throw new IllegalArgumentException("entry size %d, reserved 0x%x".formatted(u32(s, ENTRY_SIZE_FIELD), u64(s, RESERVED)));
        }
        if (count > (s.byteSize() - HEADER_SIZE) / ENTRY_SIZE) {
            throw new IllegalArgumentException(count + " entries do not fit in " + s.byteSize() + " bytes");
        }
        List<Entry> entries = new ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
            MemorySegment at = s.asSlice(HEADER_SIZE + (long) i * ENTRY_SIZE, ENTRY_SIZE);
            int kind = u32(at, KIND);
            int sint = u32(at, SINT);
            if ((kind != KIND_QUEUED && kind != KIND_INTERCEPT) || sint < 0 || sint >= 16) {
                throw new IllegalArgumentException("entry %d: kind %d, SINT %d".formatted(i, kind, sint));
            }
            MemorySegment image = at.asSlice(MESSAGE, HvMessage.SIZE);
            if ((u8(image, PAYLOAD_SIZE) & 0xFF) > HvMessage.MAX_PAYLOAD) {
                throw new IllegalArgumentException("entry %d: payload size beyond %d".formatted(i, HvMessage.MAX_PAYLOAD));
            }
            HvMessage message = HvMessage.read(image);
            if (message.type().raw() == 0) {
                throw new IllegalArgumentException("entry %d: message type 0 (an empty slot)".formatted(i));
            }
            entries.add(new Entry(kind, sint, u64(at, SENDER), message));
        }
        return new PendingMessages(entries);
    }
}
