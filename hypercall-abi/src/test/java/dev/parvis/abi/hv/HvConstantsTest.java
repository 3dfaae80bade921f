package dev.parvis.abi.hv;

import dev.parvis.abi.boot.BootProtocol;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class HvConstantsTest {

    @Test
    void hypercallPageHasOpenVmmsFiftyBytesTheParvisEntriesAndInt3Elsewhere() {
        byte[] page = HvConstants.hypercallPageImage();
        assertEquals(4096, page.length);
        String code = "0f01c1c3"
                + "89c1b8110000000f01c1c3"
                + "4889c8b9110000000f01c1c3"
                + "89c1b8120000000f01c1c3"
                + "4889c8b9120000000f01c1c3";
        assertArrayEquals(HexFormat.of().parseHex(code), Arrays.copyOf(page, 50));
        java.util.Map<Integer, String> parvis = java.util.Map.of(BootProtocol.HYPERCALL_PAGE_HALT, "f4c3",
                BootProtocol.HYPERCALL_PAGE_OUTB, "eec3", BootProtocol.HYPERCALL_PAGE_OUTL, "efc3", BootProtocol.HYPERCALL_PAGE_OUTW, "66efc3");
        java.util.Set<Integer> used = new java.util.HashSet<>();
        parvis.forEach((offset, hex) -> {
            byte[] bytes = HexFormat.of().parseHex(hex);
            assertArrayEquals(bytes, Arrays.copyOfRange(page, offset, offset + bytes.length), "entry at 0x" + Integer.toHexString(offset));
            for (int i = 0; i < bytes.length; i++) {
                used.add(offset + i);
            }
        });
        for (int i = 50; i < page.length; i++) {
            if (!used.contains(i)) {
                assertEquals((byte) 0xCC, page[i], "filler at " + i);
            }
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
