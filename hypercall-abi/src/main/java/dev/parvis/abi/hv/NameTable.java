package dev.parvis.abi.hv;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.HashMap;
import java.util.Map;

/**
 * Maps the raw value of an open value type to the name of its public constant. Built by
 * reflection so that adding a constant is the only step needed to name a code.
 */
public final class NameTable {
    private NameTable() {
    }

    /** Must run after the constants are initialized, i.e. from a static field declared after them. */
    public static <T extends Record> Map<Long, String> scan(Class<T> type) {
        RecordComponent raw = type.getRecordComponents()[0];
        Map<Long, String> names = new HashMap<>();
        for (Field f : type.getDeclaredFields()) {
            int m = f.getModifiers();
            if (f.getType() == type && Modifier.isStatic(m) && Modifier.isPublic(m) && Modifier.isFinal(m)) {
                // First declaration wins, so an alias never renames the canonical constant.
                names.putIfAbsent(rawOf(raw, f), f.getName());
            }
        }
        return Map.copyOf(names);
    }

    private static long rawOf(RecordComponent raw, Field f) {
        try {
            Object constant = f.get(null);
            if (constant == null) {
                throw new IllegalStateException(f + " is declared after the name table");
            }
            return ((Number) raw.getAccessor().invoke(constant)).longValue();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read constant " + f, e);
        }
    }
}
