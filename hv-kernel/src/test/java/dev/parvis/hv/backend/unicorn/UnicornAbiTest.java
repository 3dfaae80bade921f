package dev.parvis.hv.backend.unicorn;

import dev.parvis.hv.backend.X64Register;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Layouts and ids pinned against unicorn 2.0.1's x86.h (values printed by a C program with sizeof/offsetof). */
class UnicornAbiTest {

    @Test
    void x86MmrIs24BytesWithBaseAt8() {
        assertEquals(24, UnicornAbi.X86_MMR.byteSize());
        assertEquals(0, UnicornAbi.MMR_SELECTOR);
        assertEquals(8, UnicornAbi.MMR_BASE);
        assertEquals(16, UnicornAbi.MMR_LIMIT);
        assertEquals(20, UnicornAbi.MMR_FLAGS);
    }

    @Test
    void x86MsrIs16BytesWithValueAt8() {
        assertEquals(16, UnicornAbi.X86_MSR.byteSize());
        assertEquals(0, UnicornAbi.MSR_RID);
        assertEquals(8, UnicornAbi.MSR_VALUE);
    }

    @Test
    void everyRegisterHasADistinctIdOrAnMsr() {
        Set<Integer> ids = new HashSet<>();
        for (X64Register r : X64Register.values()) {
            int id = UnicornAbi.registerId(r);
            if (id < 0) {
                assertTrue(UnicornAbi.msrIndex(r) != 0, r + " needs an MSR");
            } else {
                assertTrue(ids.add(id), r + " id " + id + " reused");
            }
        }
        assertEquals(41, UnicornAbi.registerId(X64Register.RIP));
        assertEquals(253, UnicornAbi.registerId(X64Register.RFLAGS));
        assertEquals(243, UnicornAbi.registerId(X64Register.GDTR));
    }

    @Test
    void segmentAttributesConvertBetweenQemuFlagsAndTlfs() {
        int qemuTssBusy = (0xB << 8) | (1 << 15); // type 11, present
        assertEquals((short) 0x8B, UnicornSegments.attributes(qemuTssBusy));
        assertEquals(qemuTssBusy, UnicornSegments.flags((short) 0x8B));
        assertEquals((short) 0xA09B, UnicornSegments.attributes(UnicornSegments.flags((short) 0xA09B)));
    }
}
