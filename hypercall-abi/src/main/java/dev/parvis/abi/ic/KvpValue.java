package dev.parvis.abi.ic;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Arrays;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.bytes;
import static dev.parvis.abi.layout.LittleEndian.lengthWithin;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * A KVP value record (reference section 9.7): the GET/SET body. {@code key} and {@code value} hold
 * the first {@code keySize} / {@code valueSize} bytes of their fields (clamped to capacity on read);
 * strings are UTF-16LE with a NUL, sizes counting it.
 */
public record KvpValue(int valueType, int keySize, int valueSize, byte[] key, byte[] value) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("value_type"),
            U32.withName("key_size"),
            U32.withName("value_size"),
            bytes(IcConstants.KVP_MAX_KEY_SIZE, "key"),
            bytes(IcConstants.KVP_MAX_VALUE_SIZE, "value"));
    public static final int SIZE = (int) LAYOUT.byteSize();

    private static final long VALUE_TYPE = offset(LAYOUT, "value_type");
    private static final long KEY_SIZE = offset(LAYOUT, "key_size");
    private static final long VALUE_SIZE = offset(LAYOUT, "value_size");
    private static final long KEY = offset(LAYOUT, "key");
    private static final long VALUE = offset(LAYOUT, "value");

    public KvpValue {
        key = key.clone();
        value = value.clone();
        if (key.length > IcConstants.KVP_MAX_KEY_SIZE || value.length > IcConstants.KVP_MAX_VALUE_SIZE) {
            throw new IllegalArgumentException("KVP key or value over capacity");
        }
    }

    /** A REG_SZ item. */
    public static KvpValue ofString(String key, String value) {
        byte[] k = Utf16.encode(key, IcConstants.KVP_MAX_KEY_SIZE);
        byte[] v = Utf16.encode(value, IcConstants.KVP_MAX_VALUE_SIZE);
        return new KvpValue(IcConstants.KVP_REG_SZ, k.length, v.length, k, v);
    }

    /** A key with an empty value, as GET requests carry it. */
    public static KvpValue ofKey(String key) {
        byte[] k = Utf16.encode(key, IcConstants.KVP_MAX_KEY_SIZE);
        return new KvpValue(IcConstants.KVP_REG_SZ, k.length, 0, k, new byte[0]);
    }

    public static KvpValue read(MemorySegment s) {
        int keySize = u32(s, KEY_SIZE);
        int valueSize = u32(s, VALUE_SIZE);
        return new KvpValue(u32(s, VALUE_TYPE), keySize, valueSize,
                bytes(s, KEY, lengthWithin(keySize, IcConstants.KVP_MAX_KEY_SIZE)),
                bytes(s, VALUE, lengthWithin(valueSize, IcConstants.KVP_MAX_VALUE_SIZE)));
    }

    public void write(MemorySegment s) {
        u32(s, VALUE_TYPE, valueType);
        u32(s, KEY_SIZE, keySize);
        u32(s, VALUE_SIZE, valueSize);
        bytes(s, KEY, IcConstants.KVP_MAX_KEY_SIZE, key);
        bytes(s, VALUE, IcConstants.KVP_MAX_VALUE_SIZE, value);
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    public String keyString() {
        return Utf16.decode(key, keySize);
    }

    /** The value as text: REG_SZ decoded, DWORD/QWORD in decimal, anything else in hex. */
    public String valueString() {
        if (valueType == IcConstants.KVP_REG_DWORD && value.length >= 4) {
            return Integer.toUnsignedString(MemorySegment.ofArray(value).get(dev.parvis.abi.layout.LittleEndian.U32, 0));
        }
        if (valueType == IcConstants.KVP_REG_QWORD && value.length >= 8) {
            return Long.toUnsignedString(u64le(value));
        }
        return Utf16.decode(value, valueSize);
    }

    private static long u64le(byte[] b) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xFF);
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KvpValue k && valueType == k.valueType && keySize == k.keySize && valueSize == k.valueSize
                && Arrays.equals(key, k.key) && Arrays.equals(value, k.value);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(key) + Arrays.hashCode(value) + valueType;
    }

    @Override
    public String toString() {
        return "KvpValue[type=" + valueType + ", key=" + keyString() + ", value=" + valueString() + "]";
    }
}
