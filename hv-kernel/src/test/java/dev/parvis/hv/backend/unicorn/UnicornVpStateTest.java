package dev.parvis.hv.backend.unicorn;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The Java view of struct parvis_vp matches the C compiler's layout, field by field. */
class UnicornVpStateTest {
    @Test
    void everyFieldOffsetAndTheSizeMatchTheShim() throws Throwable {
        UnicornShim.load();
        List<String> names = UnicornVpState.LAYOUT.memberLayouts().stream().map(m -> m.name().orElseThrow()).toList();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG, 64);
            int count = (int) UnicornShim.VP_OFFSETS.invokeExact(out, 64);
            assertEquals(names.size() + 1, count, "fields + size");
            for (int i = 0; i < names.size(); i++) {
                long expected = UnicornVpState.LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(names.get(i)));
                assertEquals(expected, out.getAtIndex(JAVA_LONG, i), names.get(i));
            }
            assertEquals(UnicornVpState.LAYOUT.byteSize(), out.getAtIndex(JAVA_LONG, names.size()), "sizeof(struct parvis_vp)");
        }
    }
}
