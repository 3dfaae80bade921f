package dev.parvis.abi.cheader;

import dev.parvis.abi.vmbus.Guid;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code #define NAME {data1, data2, data3, {data4...}}} initializer of the header, taken from a
 * public static final {@link Guid} constant, usable as {@code struct vmbus_guid g = NAME;}.
 */
public record CGuidDefine(String name, Guid guid) {

    /** The brace initializer of {@code struct vmbus_guid}. */
    public String cInitializer() {
        StringBuilder b = new StringBuilder("{");
        b.append("0x%08xu, 0x%04xu, 0x%04xu, {".formatted(guid.data1(), guid.data2() & 0xFFFF, guid.data3() & 0xFFFF));
        for (int i = 0; i < 8; i++) {
            b.append(i == 0 ? "" : ", ").append("0x%02x".formatted(guid.data4Byte(i) & 0xFF));
        }
        return b.append("}}").toString();
    }

    /** Every public static final Guid constant of {@code type}, named {@code prefix + field + suffix}. */
    public static List<CGuidDefine> scan(Class<?> type, String prefix, String suffix) {
        List<CGuidDefine> out = new ArrayList<>();
        for (Field f : type.getDeclaredFields()) {
            int m = f.getModifiers();
            if (f.getType() == Guid.class && Modifier.isPublic(m) && Modifier.isStatic(m) && Modifier.isFinal(m)) {
                try {
                    out.add(new CGuidDefine(prefix + f.getName() + suffix, (Guid) f.get(null)));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("cannot read " + f, e);
                }
            }
        }
        return out;
    }
}
