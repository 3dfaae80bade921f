package dev.parvis.abi.cheader;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A C struct derived from a record's {@code LAYOUT}. Field names are the layout's member names;
 * explicit padding becomes {@code uint8_t pad<offset>[n]} so the C struct has no implicit holes.
 */
public record CStruct(String name, Class<?> javaType, StructLayout layout) {

    /** One member as C declares it, with its offset and size from the Java layout. */
    public record Member(String name, String declaration, long offset, long size) {
    }

    public static String paddingName(long offset) {
        return "pad" + offset;
    }

    /**
     * The members of this struct. Nested structs must be among {@code known} (by structure, names
     * included) so that C reuses the named type instead of inventing an anonymous one.
     */
    public List<Member> members(Map<StructLayout, String> known) {
        List<Member> out = new ArrayList<>();
        long offset = 0;
        for (MemoryLayout m : layout.memberLayouts()) {
            out.add(member(m, offset, known));
            offset += m.byteSize();
        }
        return out;
    }

    private Member member(MemoryLayout m, long offset, Map<StructLayout, String> known) {
        String field = m.name().orElse(paddingName(offset));
        String decl = switch (m) {
            case PaddingLayout p -> "uint8_t " + field + "[" + p.byteSize() + "]";
            case ValueLayout v -> cType(v) + " " + field;
            case SequenceLayout s when s.elementLayout() instanceof ValueLayout v ->
                    cType(v) + " " + field + "[" + s.elementCount() + "]";
            case StructLayout g -> "struct " + nestedName(g, known) + " " + field;
            default -> throw new IllegalStateException(name + "." + field + ": no C form for " + m);
        };
        return new Member(field, decl, offset, m.byteSize());
    }

    private String nestedName(GroupLayout g, Map<StructLayout, String> known) {
        String nested = known.get(((StructLayout) g).withoutName());
        if (nested == null) {
            throw new IllegalStateException(name + ": nested " + g + " is not a struct emitted earlier");
        }
        return nested;
    }

    static String cType(ValueLayout v) {
        if (v.carrier() == byte.class || v.carrier() == boolean.class) {
            return "uint8_t";
        }
        if (v.carrier() == short.class || v.carrier() == char.class) {
            return "uint16_t";
        }
        if (v.carrier() == int.class || v.carrier() == float.class) {
            return "uint32_t";
        }
        if (v.carrier() == long.class || v.carrier() == double.class) {
            return "uint64_t";
        }
        throw new IllegalStateException("no C type for " + v);
    }
}
