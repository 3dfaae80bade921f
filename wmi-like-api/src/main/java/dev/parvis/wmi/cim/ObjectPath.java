package dev.parvis.wmi.cim;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A CIM object path: the class and its key properties, written
 * {@code Msvm_ComputerSystem.CreationClassName="Msvm_ComputerSystem",Name="<GUID>"}. A leading
 * namespace ({@code \\HOST\root\virtualization\v2:}) is accepted and ignored. Class and key names
 * compare without case, as in WMI; key values exactly.
 */
public record ObjectPath(String className, Map<String, String> keys) {
    public static final int MAX_LENGTH = 4096;

    public ObjectPath {
        Objects.requireNonNull(className, "className");
        TreeMap<String, String> sorted = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        sorted.putAll(keys);
        keys = Collections.unmodifiableMap(sorted);
    }

    public static ObjectPath of(String className, String key, String value) {
        return new ObjectPath(className, Map.of(key, value));
    }

    /** The value of key {@code name}, or null. */
    public String key(String name) {
        return keys.get(name);
    }

    /** Parses a path; throws {@link InvalidParameterException} naming what is wrong. */
    public static ObjectPath parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidParameterException("empty object path");
        }
        if (text.length() > MAX_LENGTH) {
            throw new InvalidParameterException("object path longer than " + MAX_LENGTH + " characters");
        }
        String s = text.strip();
        if (s.startsWith("{") && s.endsWith("}")) {
            s = s.substring(1, s.length() - 1).strip();
        }
        int colon = namespaceEnd(s);
        if (colon >= 0) {
            s = s.substring(colon + 1);
        }
        int dot = s.indexOf('.');
        String cls = dot < 0 ? s : s.substring(0, dot);
        if (!cls.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new InvalidParameterException("object path '" + text + "': bad class name '" + cls + "'");
        }
        Map<String, String> keys = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (dot >= 0) {
            parseKeys(text, s.substring(dot + 1), keys);
        }
        return new ObjectPath(cls, keys);
    }

    /** The ':' after a namespace prefix, outside quotes; -1 without one. */
    private static int namespaceEnd(String s) {
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\\' && quoted) {
                i++;
            } else if (c == ':' && !quoted) {
                return i;
            } else if (c == '.' && !quoted) {
                return -1;
            }
        }
        return -1;
    }

    private static void parseKeys(String original, String s, Map<String, String> keys) {
        int i = 0;
        while (i < s.length()) {
            int eq = s.indexOf('=', i);
            if (eq < 0) {
                throw new InvalidParameterException("object path '" + original + "': key without '=' at " + i);
            }
            String name = s.substring(i, eq).strip();
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new InvalidParameterException("object path '" + original + "': bad key name '" + name + "'");
            }
            StringBuilder value = new StringBuilder();
            int j = eq + 1;
            if (j < s.length() && s.charAt(j) == '"') {
                j++;
                while (j < s.length() && s.charAt(j) != '"') {
                    if (s.charAt(j) == '\\' && j + 1 < s.length()) {
                        j++;
                    }
                    value.append(s.charAt(j++));
                }
                if (j >= s.length()) {
                    throw new InvalidParameterException("object path '" + original + "': unterminated value of key " + name);
                }
                j++;
            } else {
                while (j < s.length() && s.charAt(j) != ',') {
                    value.append(s.charAt(j++));
                }
            }
            if (keys.put(name, value.toString()) != null) {
                throw new InvalidParameterException("object path '" + original + "': key " + name + " given twice");
            }
            if (j < s.length() && s.charAt(j) != ',') {
                throw new InvalidParameterException("object path '" + original + "': expected ',' at " + j);
            }
            i = j + 1;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ObjectPath p && p.className.equalsIgnoreCase(className) && p.keys.equals(keys);
    }

    @Override
    public int hashCode() {
        int h = className.toLowerCase(java.util.Locale.ROOT).hashCode();
        for (Map.Entry<String, String> e : keys.entrySet()) {
            h = 31 * h + e.getKey().toLowerCase(java.util.Locale.ROOT).hashCode() ^ e.getValue().hashCode();
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(className);
        char sep = '.';
        for (Map.Entry<String, String> e : keys.entrySet()) {
            b.append(sep).append(e.getKey()).append("=\"")
                    .append(e.getValue().replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            sep = ',';
        }
        return b.toString();
    }
}
