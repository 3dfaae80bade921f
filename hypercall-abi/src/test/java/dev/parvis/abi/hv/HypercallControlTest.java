package dev.parvis.abi.hv;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HypercallControlTest {

    @Test
    void everyFieldSurvivesEncodeAndDecode() {
        HypercallControl c = new HypercallControl((short) 0x51, true, 0x3FF, true, 0xFFF, 0xABC);
        assertEquals(c, HypercallControl.decode(c.encode()));
        assertEquals(0x0ABC_0FFF_87FF_0051L, c.encode());
    }

    @Test
    void bitPositionsMatchTheTlfs() {
        long raw = HypercallControl.rep(HvCallCode.GET_VP_REGISTERS, 3).withRepStart(1).withFast().encode();
        assertEquals(0x0050L | 1L << 16 | 3L << 32 | 1L << 48, raw);
        HypercallControl d = HypercallControl.decode(raw);
        assertEquals(HvCallCode.GET_VP_REGISTERS, d.callCode());
        assertTrue(d.fast());
        assertTrue(d.isRep());
        assertEquals(2, HypercallControl.decode(2L << 17).variableHeaderQwords());
        assertTrue(HypercallControl.decode(1L << 31).nested());
    }

    @Test
    void simpleControlHasOnlyTheCode() {
        assertEquals(0x5CL, HypercallControl.simple(HvCallCode.POST_MESSAGE).encode());
    }

    @Test
    void reservedBitsAreDetectedInEachReservedRange() {
        for (int bit : new int[] {27, 28, 29, 30, 44, 45, 46, 47, 60, 61, 62, 63}) {
            assertTrue(HypercallControl.reservedBitsSet(1L << bit), "bit " + bit);
        }
        assertFalse(HypercallControl.reservedBitsSet(0x0FFF_0FFF_87FF_FFFFL));
    }

    @Test
    void decodingIgnoresReservedBitsInsteadOfFailing() {
        HypercallControl d = HypercallControl.decode(0xF000_F000_7800_005CL);
        assertEquals(HypercallControl.simple(HvCallCode.POST_MESSAGE), d);
    }

    @Test
    void outOfRangeFieldsAreRejectedWhenBuilt() {
        assertThrows(IllegalArgumentException.class, () -> HypercallControl.rep(HvCallCode.MAP_GPA_PAGES, 0x1000));
        assertThrows(IllegalArgumentException.class,
                () -> HypercallControl.simple(HvCallCode.POST_MESSAGE).withVariableHeaderQwords(1024));
    }

    @Test
    void resultCarriesStatusAndRepsCompleted() {
        HypercallResult r = new HypercallResult(HvStatus.INSUFFICIENT_MEMORY, 0x7FF);
        assertEquals(0x0000_07FF_0000_000BL, r.encode());
        assertEquals(r, HypercallResult.decode(r.encode()));
        assertEquals(r, HypercallResult.decode(r.encode() | 0xFFFF_F000_FFFF_0000L));
        assertEquals(0L, HypercallResult.of(HvStatus.SUCCESS).encode());
        assertTrue(HypercallResult.of(HvStatus.SUCCESS).isSuccess());
    }
}
