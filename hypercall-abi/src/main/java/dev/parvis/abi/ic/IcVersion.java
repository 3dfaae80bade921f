package dev.parvis.abi.ic;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U16;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u16;

/** One {major, minor} entry of a negotiation message (reference section 9.3). */
public record IcVersion(int major, int minor) implements Comparable<IcVersion> {
    public static final int SIZE = 4;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U16.withName("major"),
            U16.withName("minor"));

    private static final long MAJOR = offset(LAYOUT, "major");
    private static final long MINOR = offset(LAYOUT, "minor");

    public IcVersion {
        if (major < 0 || major > 0xFFFF || minor < 0 || minor > 0xFFFF) {
            throw new IllegalArgumentException("version out of u16 range: " + major + "." + minor);
        }
    }

    public static IcVersion of(int major, int minor) {
        return new IcVersion(major, minor);
    }

    public static IcVersion read(MemorySegment s) {
        return new IcVersion(u16(s, MAJOR) & 0xFFFF, u16(s, MINOR) & 0xFFFF);
    }

    public void write(MemorySegment s) {
        u16(s, MAJOR, (short) major);
        u16(s, MINOR, (short) minor);
    }

    @Override
    public int compareTo(IcVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
