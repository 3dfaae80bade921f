package dev.parvis.abi.ic;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

/** KVP ENUMERATE body (reference section 9.7): the item index, then the value record the guest fills in. */
public record KvpEnumerate(int index, KvpValue data) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("index"),
            KvpValue.LAYOUT.withName("data"));
    public static final int SIZE = (int) LAYOUT.byteSize();

    private static final long INDEX = offset(LAYOUT, "index");
    private static final long DATA = offset(LAYOUT, "data");

    public static KvpEnumerate read(MemorySegment s) {
        return new KvpEnumerate(u32(s, INDEX), KvpValue.read(s.asSlice(DATA, KvpValue.SIZE)));
    }

    public void write(MemorySegment s) {
        u32(s, INDEX, index);
        data.write(s.asSlice(DATA, KvpValue.SIZE));
    }
}
