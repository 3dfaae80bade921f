package dev.parvis.abi.cheader;

import dev.parvis.abi.boot.BootInfo;
import dev.parvis.abi.hv.input.ReadGpaOutput;
import dev.parvis.abi.hv.input.VpRegistersHeader;
import dev.parvis.abi.hv.message.InterceptHeader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CHeaderGeneratorTest {

    @Test
    void structNamesFollowTheNamingRule() {
        assertEquals("hv_input_vp_registers", HeaderCatalog.structName(VpRegistersHeader.class));
        assertEquals("hv_output_read_gpa", HeaderCatalog.structName(ReadGpaOutput.class));
        assertEquals("hv_intercept_header", HeaderCatalog.structName(InterceptHeader.class));
        assertEquals("parvis_boot_info", HeaderCatalog.structName(BootInfo.class));
        assertEquals("hv_message", HeaderCatalog.structName(dev.parvis.abi.hv.HvMessage.class));
    }

    @Test
    void headerHasGuardBannerAndTheMainMacros() {
        String h = CHeaderGenerator.generate();
        assertTrue(h.contains("#ifndef PARVIS_HVABI_H\n#define PARVIS_HVABI_H"));
        assertTrue(h.contains("DO NOT EDIT"));
        assertTrue(h.contains("#define HVCALL_POST_MESSAGE 0x005c\n"));
        assertTrue(h.contains("#define HV_STATUS_INVALID_CONNECTION_ID 0x0012\n"));
        assertTrue(h.contains("#define HV_HYPERCALL_FAST_BIT 0x0000000000010000ull\n"));
        assertTrue(h.contains("#define HV_PARTITION_ID_SELF 0xffffffffffffffffull\n"));
        assertTrue(h.contains("#define HV_VP_INDEX_SELF 0xfffffffeu\n"));
        assertTrue(h.contains("#define HV_PAGE_SIZE 4096\n"));
        assertTrue(h.contains("#define PARVIS_BOOT_INFO_MAGIC 0x544f4f4253565250ull\n"));
        assertTrue(h.contains("struct parvis_boot_info {\n    uint64_t magic;"));
        assertTrue(h.contains("    struct hv_port_info port_info;\n"));
    }

    @Test
    void generationIsDeterministic() {
        assertEquals(CHeaderGenerator.generate(), CHeaderGenerator.generate());
    }

    @Test
    void mainWritesTheFileAndLeavesAnUnchangedOneAlone(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("deep/parvis/hvabi.h");
        CHeaderGenerator.main(new String[] {out.toString()});
        assertEquals(CHeaderGenerator.generate(), Files.readString(out));
        FileTime old = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(out, old);
        CHeaderGenerator.main(new String[] {out.toString()});
        assertEquals(old, Files.getLastModifiedTime(out));
    }
}
