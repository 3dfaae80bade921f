package dev.parvis.abi.cheader;

import dev.parvis.abi.boot.BootInfo;
import dev.parvis.abi.hv.input.ReadGpaOutput;
import dev.parvis.abi.hv.input.VpRegistersHeader;
import dev.parvis.abi.hv.message.InterceptHeader;
import dev.parvis.abi.vmbus.ChannelMessageHeader;
import dev.parvis.abi.vmbus.GpaDirectHeader;
import dev.parvis.abi.vmbus.GpadlHeader;
import dev.parvis.abi.vmbus.Guid;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
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
        assertEquals("vmbus_channel_message_header", HeaderCatalog.structName(ChannelMessageHeader.class));
        assertEquals("vmbus_gpadl_header", HeaderCatalog.structName(GpadlHeader.class));
        assertEquals("vmbus_gpa_direct_header", HeaderCatalog.structName(GpaDirectHeader.class));
        assertEquals("vmbus_guid", HeaderCatalog.structName(Guid.class));
    }

    @Test
    void headerHasEveryVmbusStructByItsAgreedName() {
        List<String> names = CHeaderGenerator.structs().stream().map(CStruct::name).toList();
        for (String s : List.of("vmbus_channel_message_header", "vmbus_offer_channel", "vmbus_rescind_channel_offer",
                "vmbus_request_offers", "vmbus_all_offers_delivered", "vmbus_open_channel", "vmbus_open_channel_result",
                "vmbus_close_channel", "vmbus_gpadl_header", "vmbus_gpa_range", "vmbus_gpadl_body", "vmbus_gpadl_created",
                "vmbus_gpadl_teardown", "vmbus_gpadl_torndown", "vmbus_relid_released", "vmbus_initiate_contact",
                "vmbus_version_response", "vmbus_unload", "vmbus_unload_response", "vmbus_modify_channel",
                "vmbus_modify_channel_response", "vmbus_ring_control", "vmbus_packet_descriptor",
                "vmbus_gpa_direct_header", "vmbus_transfer_page_header", "vmbus_transfer_page_range",
                "vmbus_pipe_header", "vmbus_guid")) {
            assertTrue(names.contains(s), s);
        }
    }

    @Test
    void headerHasTheVmbusMacros() {
        String h = CHeaderGenerator.generate();
        assertTrue(h.contains("#define VMBUS_MSG_OFFER_CHANNEL 0x00000001u\n"));
        assertTrue(h.contains("#define VMBUS_MSG_INITIATE_CONTACT 0x0000000eu\n"));
        assertTrue(h.contains("#define VMBUS_VERSION_WIN10_V5_3 0x00050003u\n"));
        assertTrue(h.contains("#define VMBUS_PACKET_TYPE_DATA_USING_GPA_DIRECT 0x0009\n"));
        assertTrue(h.contains("#define VMBUS_MESSAGE_SINT 2\n"));
        assertTrue(h.contains("#define VMBUS_MAX_GPADL_HEADER_PFNS 26\n"));
        assertTrue(h.contains("#define VMBUS_RING_CONTROL_SIZE 4096\n"));
        assertTrue(h.contains("#define VMBUS_DEVICE_SCSI_GUID "
                + "{0xba6163d9u, 0x04a1u, 0x4d29u, {0xb6, 0x05, 0x72, 0xe2, 0xff, 0xb1, 0xdc, 0x7f}}\n"));
        assertTrue(h.contains("#define VMBUS_DEVICE_ECHO_GUID "
                + "{0x7a0c6d1eu, 0x4e9bu, 0x4f2au, {0x8d, 0x35, 0x50, 0x41, 0x52, 0x56, 0x49, 0x5e}}\n"));
        assertTrue(h.contains("    struct vmbus_channel_message_header header;\n    struct vmbus_guid interface_type;\n"));
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
