package dev.parvis.abi.hv.input;

import dev.parvis.abi.hv.message.SegmentValue;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.List;

import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * HV_INITIAL_VP_CONTEXT, 224 bytes (reference section 3.2, HvCallStartVirtualProcessor): RIP, RSP,
 * RFLAGS, the segment registers CS DS ES FS GS SS TR LDTR, IDTR and GDTR, EFER, CR0, CR3, CR4 and
 * the PAT MSR.
 */
public record InitialVpContext(long rip, long rsp, long rflags, List<SegmentValue> segments, TableValue idtr, TableValue gdtr,
                               long efer, long cr0, long cr3, long cr4, long pat) {
    public static final int SIZE = 224;
    /** The order of {@link #segments()}. */
    public static final List<String> SEGMENT_NAMES = List.of("cs", "ds", "es", "fs", "gs", "ss", "tr", "ldtr");

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("rip"), U64.withName("rsp"), U64.withName("rflags"),
            SegmentValue.LAYOUT.withName("cs"), SegmentValue.LAYOUT.withName("ds"), SegmentValue.LAYOUT.withName("es"),
            SegmentValue.LAYOUT.withName("fs"), SegmentValue.LAYOUT.withName("gs"), SegmentValue.LAYOUT.withName("ss"),
            SegmentValue.LAYOUT.withName("tr"), SegmentValue.LAYOUT.withName("ldtr"),
            TableValue.LAYOUT.withName("idtr"), TableValue.LAYOUT.withName("gdtr"),
            U64.withName("efer"), U64.withName("cr0"), U64.withName("cr3"), U64.withName("cr4"), U64.withName("msr_cr_pat"));

    private static final long RIP = offset(LAYOUT, "rip");
    private static final long RSP = offset(LAYOUT, "rsp");
    private static final long RFLAGS = offset(LAYOUT, "rflags");
    private static final long IDTR = offset(LAYOUT, "idtr");
    private static final long GDTR = offset(LAYOUT, "gdtr");
    private static final long EFER = offset(LAYOUT, "efer");
    private static final long CR0 = offset(LAYOUT, "cr0");
    private static final long CR3 = offset(LAYOUT, "cr3");
    private static final long CR4 = offset(LAYOUT, "cr4");
    private static final long PAT = offset(LAYOUT, "msr_cr_pat");

    public InitialVpContext {
        segments = List.copyOf(segments);
        if (segments.size() != SEGMENT_NAMES.size()) {
            throw new IllegalArgumentException("an initial VP context has " + SEGMENT_NAMES.size() + " segment registers");
        }
    }

    public static InitialVpContext read(MemorySegment s) {
        List<SegmentValue> segments = SEGMENT_NAMES.stream()
                .map(n -> SegmentValue.read(s.asSlice(offset(LAYOUT, n), SegmentValue.SIZE))).toList();
        return new InitialVpContext(u64(s, RIP), u64(s, RSP), u64(s, RFLAGS), segments,
                TableValue.read(s.asSlice(IDTR, TableValue.SIZE)), TableValue.read(s.asSlice(GDTR, TableValue.SIZE)),
                u64(s, EFER), u64(s, CR0), u64(s, CR3), u64(s, CR4), u64(s, PAT));
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u64(s, RIP, rip);
        u64(s, RSP, rsp);
        u64(s, RFLAGS, rflags);
        for (int i = 0; i < SEGMENT_NAMES.size(); i++) {
            segments.get(i).write(s.asSlice(offset(LAYOUT, SEGMENT_NAMES.get(i)), SegmentValue.SIZE));
        }
        idtr.write(s.asSlice(IDTR, TableValue.SIZE));
        gdtr.write(s.asSlice(GDTR, TableValue.SIZE));
        u64(s, EFER, efer);
        u64(s, CR0, cr0);
        u64(s, CR3, cr3);
        u64(s, CR4, cr4);
        u64(s, PAT, pat);
    }
}
