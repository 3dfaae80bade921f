package dev.parvis.devices.vhdx.format;

import dev.parvis.abi.vmbus.Guid;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.parvis.abi.layout.LittleEndian.U16;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u16;

/**
 * The Parent Locator item of a differencing disk ([MS-VHDX] 2.6.2.6): a locator type and UTF-16LE
 * key/value pairs. For the VHDX locator type the keys are {@code parent_linkage} (the parent's
 * DataWriteGuid, required), {@code parent_linkage2}, and the path keys {@code relative_path},
 * {@code volume_path}, {@code absolute_win32_path} (at least one required).
 */
public record ParentLocator(Guid locatorType, Map<String, String> entries) {
    public static final int HEADER_SIZE = 20;
    public static final Guid VHDX_LOCATOR_TYPE = Guid.parse("b04aefb7-d19e-4a81-b789-25b8e9445913");
    public static final String PARENT_LINKAGE = "parent_linkage";
    public static final String PARENT_LINKAGE2 = "parent_linkage2";
    public static final String RELATIVE_PATH = "relative_path";
    public static final String VOLUME_PATH = "volume_path";
    public static final String ABSOLUTE_WIN32_PATH = "absolute_win32_path";

    public static final StructLayout HEADER_LAYOUT = MemoryLayout.structLayout(
            Guid.LAYOUT.withName("locator_type"),
            U16.withName("reserved"),
            U16.withName("key_value_count"));

    private static final long LOCATOR_TYPE = offset(HEADER_LAYOUT, "locator_type");
    private static final long KEY_VALUE_COUNT = offset(HEADER_LAYOUT, "key_value_count");

    public ParentLocator {
        entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    /** A VHDX-type locator naming the parent by its DataWriteGuid and its path relative to the child. */
    public static ParentLocator forParent(Guid parentDataWriteGuid, String relativeWindowsPath) {
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put(PARENT_LINKAGE, braced(parentDataWriteGuid));
        entries.put(RELATIVE_PATH, relativeWindowsPath);
        return new ParentLocator(VHDX_LOCATOR_TYPE, entries);
    }

    /** Reads and checks every entry of an item whose length is the segment's size. */
    public static ParentLocator read(MemorySegment item) throws VhdxFormatException {
        long length = item.byteSize();
        if (length < HEADER_SIZE) {
            throw refusal("Length", length + " is shorter than the 20-byte header");
        }
        Guid type = Guid.read(item.asSlice(LOCATOR_TYPE));
        if (!type.equals(VHDX_LOCATOR_TYPE)) {
            throw refusal("LocatorType", type + " is not the VHDX locator type");
        }
        int count = u16(item, KEY_VALUE_COUNT) & 0xFFFF;
        long stringsStart = HEADER_SIZE + (long) count * ParentLocatorEntry.SIZE;
        if (stringsStart > length) {
            throw refusal("KeyValueCount", count + " entries do not fit in " + length + " bytes");
        }
        Map<String, String> entries = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            ParentLocatorEntry e = ParentLocatorEntry.read(item.asSlice(HEADER_SIZE + (long) i * ParentLocatorEntry.SIZE));
            String key = string(item, stringsStart, e.keyOffset(), e.keyLength(), "entry " + i + " key");
            String value = string(item, stringsStart, e.valueOffset(), e.valueLength(), "entry " + i + " value");
            if (entries.put(key, value) != null) {
                throw refusal("entry " + i + " key", "\"" + key + "\" appears twice");
            }
        }
        ParentLocator locator = new ParentLocator(type, entries);
        locator.validate();
        return locator;
    }

    private void validate() throws VhdxFormatException {
        String linkage = entries.get(PARENT_LINKAGE);
        if (linkage == null) {
            throw refusal(PARENT_LINKAGE, "is missing");
        }
        parseLinkage(PARENT_LINKAGE, linkage);
        if (entries.containsKey(PARENT_LINKAGE2)) {
            parseLinkage(PARENT_LINKAGE2, entries.get(PARENT_LINKAGE2));
        }
        if (!entries.containsKey(RELATIVE_PATH) && !entries.containsKey(VOLUME_PATH)
                && !entries.containsKey(ABSOLUTE_WIN32_PATH)) {
            throw refusal("path", "none of relative_path, volume_path, absolute_win32_path is present");
        }
    }

    private static String string(MemorySegment item, long stringsStart, long offset, int length, String field)
            throws VhdxFormatException {
        if (length == 0 || length % 2 != 0) {
            throw refusal(field, "length " + length + " is not a positive even byte count");
        }
        if (offset < stringsStart || offset + length > item.byteSize()) {
            throw refusal(field, "[" + offset + ", +" + length + ") lies outside the string area [" + stringsStart
                    + ", " + item.byteSize() + ")");
        }
        ByteBuffer raw = item.asSlice(offset, length).asByteBuffer();
        try {
            String text = StandardCharsets.UTF_16LE.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(raw).toString();
            if (text.indexOf('\0') >= 0) {
                throw refusal(field, "contains a NUL character");
            }
            return text;
        } catch (CharacterCodingException e) {
            throw refusal(field, "is not valid UTF-16LE");
        }
    }

    private static Guid parseLinkage(String key, String value) throws VhdxFormatException {
        if (value.length() != 38 || value.charAt(0) != '{' || value.charAt(37) != '}') {
            throw refusal(key, "\"" + value + "\" is not a GUID in braces");
        }
        try {
            return Guid.parse(value.substring(1, 37));
        } catch (IllegalArgumentException e) {
            throw refusal(key, "\"" + value + "\" is not a GUID in braces");
        }
    }

    /** The parent DataWriteGuids this child accepts: parent_linkage and, if present, parent_linkage2. */
    public List<Guid> acceptedParentIds() {
        List<Guid> out = new ArrayList<>();
        for (String key : List.of(PARENT_LINKAGE, PARENT_LINKAGE2)) {
            String value = entries.get(key);
            if (value != null) {
                try {
                    out.add(parseLinkage(key, value));
                } catch (VhdxFormatException e) {
                    throw new IllegalStateException("a validated locator holds a bad linkage", e);
                }
            }
        }
        return out;
    }

    public Optional<String> value(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    /** This locator with one key set (added or replaced). */
    public ParentLocator with(String key, String value) {
        Map<String, String> out = new LinkedHashMap<>(entries);
        out.put(key, value);
        return new ParentLocator(locatorType, out);
    }

    /** The whole item: header, entries, then the strings in entry order. */
    public byte[] toBytes() {
        long stringsStart = HEADER_SIZE + (long) entries.size() * ParentLocatorEntry.SIZE;
        long total = stringsStart;
        for (Map.Entry<String, String> e : entries.entrySet()) {
            total += 2L * e.getKey().length() + 2L * e.getValue().length();
        }
        if (total > MetadataTable.MAX_ITEM_LENGTH || entries.size() > 0xFFFF) {
            throw new IllegalArgumentException("parent locator larger than a metadata item may be");
        }
        byte[] out = new byte[(int) total];
        MemorySegment s = MemorySegment.ofArray(out);
        locatorType.write(s.asSlice(LOCATOR_TYPE));
        u16(s, KEY_VALUE_COUNT, (short) entries.size());
        long cursor = stringsStart;
        int i = 0;
        for (Map.Entry<String, String> e : entries.entrySet()) {
            byte[] key = e.getKey().getBytes(StandardCharsets.UTF_16LE);
            byte[] value = e.getValue().getBytes(StandardCharsets.UTF_16LE);
            new ParentLocatorEntry(cursor, cursor + key.length, key.length, value.length)
                    .write(s.asSlice(HEADER_SIZE + (long) i++ * ParentLocatorEntry.SIZE));
            MemorySegment.copy(MemorySegment.ofArray(key), 0, s, cursor, key.length);
            MemorySegment.copy(MemorySegment.ofArray(value), 0, s, cursor + key.length, value.length);
            cursor += key.length + value.length;
        }
        return out;
    }

    /** The linkage form the spec shows: a lower-case GUID in braces. */
    public static String braced(Guid guid) {
        return "{" + guid + "}";
    }

    private static VhdxFormatException refusal(String field, String reason) {
        return new VhdxFormatException(VhdxStructure.PARENT_LOCATOR, field, reason);
    }
}
