package dev.parvis.abi.hv;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpenValueTypesTest {

    @Test
    void knownCodesPrintTheirName() {
        assertEquals("INVALID_CONNECTION_ID", HvStatus.of(0x12).toString());
        assertEquals("POST_MESSAGE", HvCallCode.of(0x5C).name());
        assertEquals("SIMP", new HvRegisterName(0x000A_0013).toString());
        assertEquals("X64_HALT", new HvMessageType(0x8001_0007).toString());
    }

    @Test
    void unknownCodesPrintAsHex() {
        assertEquals("HvStatus(0x1234)", HvStatus.of(0x1234).toString());
        assertEquals("0x1234", HvStatus.of(0x1234).name());
        assertEquals("HvCallCode(0xFFFF)", HvCallCode.of(0xFFFF).toString());
        assertEquals("HvRegisterName(0xDEADBEEF)", new HvRegisterName(0xDEAD_BEEF).toString());
        assertEquals("HvMessageType(0x80001234)", new HvMessageType(0x8000_1234).toString());
        assertFalse(HvStatus.of(0x1234).isKnown());
    }

    @Test
    void valueTypesCompareByRawValue() {
        assertEquals(HvStatus.SUCCESS, HvStatus.of(0));
        assertTrue(HvStatus.of(0).isSuccess());
        assertFalse(HvStatus.ACCESS_DENIED.isSuccess());
        assertEquals(0xC001, HvCallCode.VBS_VM_CALL_REPORT.value());
    }

    @Test
    void sintRegistersAreConsecutive() {
        assertEquals(HvRegisterName.SINT0, HvRegisterName.sint(0));
        assertEquals("SINT15", HvRegisterName.sint(15).name());
        assertEquals(2, HvRegisterName.SINT2.sintIndex());
        assertEquals(-1, HvRegisterName.SIMP.sintIndex());
        assertEquals("STIMER3_COUNT", HvRegisterName.stimerCount(3).name());
        assertThrows(IllegalArgumentException.class, () -> HvRegisterName.sint(16));
    }

    @Test
    void hypervisorMessagesHaveBit31() {
        assertTrue(HvMessageType.TIMER_EXPIRED.isHypervisorMessage());
        assertFalse(HvMessageType.VMBUS.isHypervisorMessage());
        assertFalse(HvMessageType.NONE.isHypervisorMessage());
    }

    @Test
    void privilegeSetsNestRootOverGuest() {
        assertEquals(HvPartitionPrivilege.GUEST_DEFAULT, HvPartitionPrivilege.ROOT & HvPartitionPrivilege.GUEST_DEFAULT);
        assertFalse(HvPartitionPrivilege.has(HvPartitionPrivilege.GUEST_DEFAULT, HvPartitionPrivilege.CREATE_PARTITIONS));
        assertTrue(HvPartitionPrivilege.has(HvPartitionPrivilege.ROOT, HvPartitionPrivilege.ACCESS_MEMORY_POOL));
        assertEquals(1 << 4, HvPartitionPrivilege.cpuidEbx(HvPartitionPrivilege.POST_MESSAGES));
    }
}
