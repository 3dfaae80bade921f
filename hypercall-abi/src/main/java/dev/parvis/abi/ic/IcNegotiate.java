package dev.parvis.abi.ic;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.List;

import static dev.parvis.abi.layout.LittleEndian.U16;
import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u16;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * The fixed part of a NEGOTIATE body (reference section 9.3, Linux {@code icmsg_negotiate}); it is
 * followed by {@code frameworkCount + messageCount} {@link IcVersion} entries, framework versions first.
 */
public record IcNegotiate(int frameworkCount, int messageCount) {
    public static final int SIZE = 8;
    /** The most entries of either kind a reader accepts (Linux checks the same bound). */
    public static final int MAX_VERSIONS = 100;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U16.withName("icframe_vercnt"),
            U16.withName("icmsg_vercnt"),
            U32.withName("reserved"));

    private static final long ICFRAME_VERCNT = offset(LAYOUT, "icframe_vercnt");
    private static final long ICMSG_VERCNT = offset(LAYOUT, "icmsg_vercnt");
    private static final long RESERVED = offset(LAYOUT, "reserved");

    public static IcNegotiate read(MemorySegment s) {
        return new IcNegotiate(u16(s, ICFRAME_VERCNT) & 0xFFFF, u16(s, ICMSG_VERCNT) & 0xFFFF);
    }

    public void write(MemorySegment s) {
        u16(s, ICFRAME_VERCNT, (short) frameworkCount);
        u16(s, ICMSG_VERCNT, (short) messageCount);
        u32(s, RESERVED, 0);
    }

    /** Body bytes: the fixed part and every entry. */
    public int bodySize() {
        return SIZE + (frameworkCount + messageCount) * IcVersion.SIZE;
    }

    /** Writes a whole body: this header then the framework and message versions. */
    public static int writeBody(MemorySegment s, List<IcVersion> framework, List<IcVersion> message) {
        IcNegotiate n = new IcNegotiate(framework.size(), message.size());
        n.write(s);
        long at = SIZE;
        for (IcVersion v : framework) {
            v.write(s.asSlice(at));
            at += IcVersion.SIZE;
        }
        for (IcVersion v : message) {
            v.write(s.asSlice(at));
            at += IcVersion.SIZE;
        }
        return n.bodySize();
    }

    /** Entry {@code i} of the list that follows the fixed part; the caller checked the body size. */
    public static IcVersion entry(MemorySegment body, int i) {
        return IcVersion.read(body.asSlice(SIZE + (long) i * IcVersion.SIZE, IcVersion.SIZE));
    }

    /** The framework entries, then the message entries, of a body already checked by size. */
    public List<IcVersion> frameworkVersions(MemorySegment body) {
        List<IcVersion> out = new ArrayList<>();
        for (int i = 0; i < frameworkCount; i++) {
            out.add(entry(body, i));
        }
        return out;
    }

    public List<IcVersion> messageVersions(MemorySegment body) {
        List<IcVersion> out = new ArrayList<>();
        for (int i = 0; i < messageCount; i++) {
            out.add(entry(body, frameworkCount + i));
        }
        return out;
    }
}
