package dev.parvis.abi.ic;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.bytes;
import static dev.parvis.abi.layout.LittleEndian.lengthWithin;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

/** KVP DELETE body (reference section 9.7): the key's byte count (NUL included) and the UTF-16LE key. */
public record KvpDelete(int keySize, byte[] key) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("key_size"),
            bytes(IcConstants.KVP_MAX_KEY_SIZE, "key"));
    public static final int SIZE = (int) LAYOUT.byteSize();

    private static final long KEY_SIZE = offset(LAYOUT, "key_size");
    private static final long KEY = offset(LAYOUT, "key");

    public KvpDelete {
        key = key.clone();
        if (key.length > IcConstants.KVP_MAX_KEY_SIZE) {
            throw new IllegalArgumentException("KVP key over capacity");
        }
    }

    public static KvpDelete of(String key) {
        byte[] k = Utf16.encode(key, IcConstants.KVP_MAX_KEY_SIZE);
        return new KvpDelete(k.length, k);
    }

    public static KvpDelete read(MemorySegment s) {
        int keySize = u32(s, KEY_SIZE);
        return new KvpDelete(keySize, bytes(s, KEY, lengthWithin(keySize, IcConstants.KVP_MAX_KEY_SIZE)));
    }

    public void write(MemorySegment s) {
        u32(s, KEY_SIZE, keySize);
        bytes(s, KEY, IcConstants.KVP_MAX_KEY_SIZE, key);
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    public String keyString() {
        return Utf16.decode(key, keySize);
    }
}
