package dev.parvis.abi.hv.input;

import dev.parvis.abi.hv.HvRegisterName;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Objects;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * HV_REGISTER_ASSOC, the 32-byte element of HvCallSetVpRegisters (reference section 3.1): name u32,
 * two reserved words, then the 16-byte {@link RegisterValue} at offset 16.
 */
public record RegisterAssoc(HvRegisterName name, long low, long high) {
    public static final int SIZE = 32;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("name"),
            U32.withName("reserved1"),
            U64.withName("reserved2"),
            RegisterValue.LAYOUT.withName("value"));

    private static final long NAME = offset(LAYOUT, "name");
    private static final long VALUE = offset(LAYOUT, "value");

    public RegisterAssoc {
        Objects.requireNonNull(name, "name");
    }

    public static RegisterAssoc of(HvRegisterName name, RegisterValue value) {
        return new RegisterAssoc(name, value.low(), value.high());
    }

    public static RegisterAssoc read(MemorySegment s) {
        RegisterValue value = RegisterValue.read(s.asSlice(VALUE, RegisterValue.LAYOUT.byteSize()));
        return new RegisterAssoc(new HvRegisterName(u32(s, NAME)), value.low(), value.high());
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u32(s, NAME, name.raw());
        value().write(s.asSlice(VALUE, RegisterValue.LAYOUT.byteSize()));
    }

    public RegisterValue value() {
        return new RegisterValue(low, high);
    }
}
