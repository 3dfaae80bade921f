package dev.parvis.abi.hv;

import dev.parvis.abi.hv.input.*;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HypercallSpecsTest {

    private static HypercallSpec spec(HvCallCode code) {
        return HypercallSpecs.lookup(code).orElseThrow(() -> new AssertionError("no spec for " + code));
    }

    @Test
    void sizesMatchTheInputRecords() {
        assertEquals(PostMessageInput.LAYOUT.byteSize(), spec(HvCallCode.POST_MESSAGE).inputHeaderSize());
        assertEquals(SignalEventInput.LAYOUT.byteSize(), spec(HvCallCode.SIGNAL_EVENT).inputHeaderSize());
        assertEquals(VpRegistersHeader.LAYOUT.byteSize(), spec(HvCallCode.GET_VP_REGISTERS).inputHeaderSize());
        assertEquals(RegisterValue.LAYOUT.byteSize(), spec(HvCallCode.GET_VP_REGISTERS).outputElementSize());
        assertEquals(RegisterAssoc.LAYOUT.byteSize(), spec(HvCallCode.SET_VP_REGISTERS).inputElementSize());
        assertEquals(PostDebugDataInput.LAYOUT.byteSize(), spec(HvCallCode.POST_DEBUG_DATA).inputHeaderSize());
        assertEquals(PostDebugDataOutput.LAYOUT.byteSize(), spec(HvCallCode.POST_DEBUG_DATA).outputHeaderSize());
        assertEquals(RetrieveDebugDataOutput.LAYOUT.byteSize(), spec(HvCallCode.RETRIEVE_DEBUG_DATA).outputHeaderSize());
        assertEquals(CreatePartitionInput.LAYOUT.byteSize(), spec(HvCallCode.CREATE_PARTITION).inputHeaderSize());
        assertEquals(MapGpaPagesHeader.LAYOUT.byteSize(), spec(HvCallCode.MAP_GPA_PAGES).inputHeaderSize());
        assertEquals(WithdrawMemoryHeader.LAYOUT.byteSize(), spec(HvCallCode.WITHDRAW_MEMORY).inputHeaderSize());
        assertEquals(CreatePortInput.LAYOUT.byteSize(), spec(HvCallCode.CREATE_PORT).inputHeaderSize());
        assertEquals(ConnectPortInput.LAYOUT.byteSize(), spec(HvCallCode.CONNECT_PORT).inputHeaderSize());
        assertEquals(ReadGpaOutput.LAYOUT.byteSize(), spec(HvCallCode.READ_GPA).outputHeaderSize());
        assertEquals(WriteGpaInput.LAYOUT.byteSize(), spec(HvCallCode.WRITE_GPA).inputHeaderSize());
        assertEquals(VpStateHeader.LAYOUT.byteSize(), spec(HvCallCode.GET_VP_STATE).inputHeaderSize());
        assertEquals(VpStateHeader.LAYOUT.byteSize(), spec(HvCallCode.SET_VP_STATE).inputHeaderSize());
        assertTrue(spec(HvCallCode.GET_VP_STATE).variableHeaderAllowed(), "the PFN list is the variable header");
    }

    @Test
    void fastCallsFitInTwoRegisters() {
        for (HypercallSpec s : HypercallSpecs.all()) {
            if (s.fastAllowed()) {
                assertTrue(s.inputHeaderSize() <= 16 && !s.isRep(), s.name());
            }
        }
        assertTrue(spec(HvCallCode.SIGNAL_EVENT).fastAllowed());
        assertFalse(spec(HvCallCode.POST_MESSAGE).fastAllowed());
    }

    @Test
    void onlyPartitionManagementIsRootOnly() {
        assertFalse(spec(HvCallCode.GET_PARTITION_ID).rootOnly());
        assertFalse(spec(HvCallCode.POST_MESSAGE).rootOnly());
        assertTrue(spec(HvCallCode.CREATE_PARTITION).rootOnly());
        assertTrue(spec(HvCallCode.MAP_GPA_PAGES).rootOnly());
        assertFalse(spec(HvCallCode.START_VIRTUAL_PROCESSOR).rootOnly(), "a guest starts its own VPs");
        assertTrue(spec(HvCallCode.MAP_STATS_PAGE).rootOnly(), "a child has no stats pages to map");
        assertTrue(spec(HvCallCode.UNMAP_STATS_PAGE).rootOnly());
        assertEquals(33, HypercallSpecs.all().size());
    }

    @Test
    void repSizesIncludeHeaderAndElements() {
        HypercallSpec map = spec(HvCallCode.MAP_GPA_PAGES);
        assertEquals(24 + 8 * 3, map.inputSize(0, 3));
        assertEquals(16 * 5, spec(HvCallCode.GET_VP_REGISTERS).outputSize(5));
        assertTrue(HypercallSpecs.lookup(HvCallCode.of(0x7777)).isEmpty());
    }
}
