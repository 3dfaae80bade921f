package dev.parvis.abi.hv;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class HvConstantsTest {

    @Test
    void hypercallPageHasOpenVmmsFiftyBytesThenInt3() {
        byte[] page = HvConstants.hypercallPageImage();
        assertEquals(4096, page.length);
        String code = "0f01c1c3"
                + "89c1b8110000000f01c1c3"
                + "4889c8b9110000000f01c1c3"
                + "89c1b8120000000f01c1c3"
                + "4889c8b9120000000f01c1c3";
        assertArrayEquals(HexFormat.of().parseHex(code), Arrays.copyOf(page, 50));
        for (int i = 50; i < page.length; i++) {
            assertEquals((byte) 0xCC, page[i], "filler at " + i);
        }
        assertEquals((byte) 0x48, page[HvConstants.HYPERCALL_PAGE_VTL_CALL64]);
        assertEquals((byte) 0x89, page[HvConstants.HYPERCALL_PAGE_VTL_RETURN32]);
    }

    @Test
    void cpuidSignatureSpellsMicrosoftHv() {
        byte[] sig = java.nio.ByteBuffer.allocate(12).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putInt(HvCpuid.VENDOR_EBX).putInt(HvCpuid.VENDOR_ECX).putInt(HvCpuid.VENDOR_EDX).array();
        assertEquals("Microsoft Hv", new String(sig, java.nio.charset.StandardCharsets.US_ASCII));
        byte[] hv1 = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(HvCpuid.INTERFACE_HV1).array();
        assertEquals("Hv#1", new String(hv1, java.nio.charset.StandardCharsets.US_ASCII));
    }
}
