package dev.parvis.abi;

import dev.parvis.abi.boot.BootInfo;
import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.input.*;
import dev.parvis.abi.hv.message.*;
import dev.parvis.abi.ic.*;
import dev.parvis.abi.vmbus.*;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Pins the byte size and every field offset of every layout against the reference digest
 * (sections 3-5) and README.md's boot protocol table. The expected values are typed in from the
 * documents, not derived from the code.
 */
class LayoutPinningTest {

    static Stream<Arguments> layouts() {
        return Stream.of(
                pin("HvMessage", HvMessage.LAYOUT, 256,
                        "message_type@0 payload_size@4 message_flags@5 reserved@6 sender@8 payload@16"),
                pin("PostMessageInput", PostMessageInput.LAYOUT, 256,
                        "connection_id@0 reserved@4 message_type@8 payload_size@12 payload@16"),
                pin("SignalEventInput", SignalEventInput.LAYOUT, 8, "connection_id@0 flag_number@4 reserved@6"),
                pin("VpRegistersHeader", VpRegistersHeader.LAYOUT, 16,
                        "partition_id@0 vp_index@8 input_vtl@12 reserved@13"),
                pin("RegisterValue", RegisterValue.LAYOUT, 16, "low@0 high@8"),
                pin("RegisterAssoc", RegisterAssoc.LAYOUT, 32, "name@0 reserved1@4 reserved2@8 value@16"),
                pin("PostDebugDataInput", PostDebugDataInput.LAYOUT, 4096, "count@0 options@4 data@8"),
                pin("PostDebugDataOutput", PostDebugDataOutput.LAYOUT, 8, "pending_count@0"),
                pin("RetrieveDebugDataInput", RetrieveDebugDataInput.LAYOUT, 16, "count@0 options@4 timeout_100ns@8"),
                pin("RetrieveDebugDataOutput", RetrieveDebugDataOutput.LAYOUT, 4096,
                        "retrieved_count@0 remaining_count@4 data@8"),
                pin("NotifyLongSpinWaitInput", NotifyLongSpinWaitInput.LAYOUT, 8, "spin_count@0"),
                pin("ResetDebugSessionInput", ResetDebugSessionInput.LAYOUT, 8, "options@0"),
                pin("CreatePartitionInput", CreatePartitionInput.LAYOUT, 56,
                        "flags@0 proximity_domain_info@8 compatibility_version@16 disabled_processor_features0@24 "
                                + "disabled_processor_features1@32 disabled_xsave_features@40 isolation_properties@48"),
                pin("PartitionIdValue", PartitionIdValue.LAYOUT, 8, "partition_id@0"),
                pin("GetPartitionPropertyInput", GetPartitionPropertyInput.LAYOUT, 16, "partition_id@0 property_code@8"),
                // hv_input_map_stats_page / hv_output_map_stats_page, Linux include/hyperv/hvhdk_mini.h.
                pin("StatsPageInput", dev.parvis.abi.hv.input.StatsPageInput.LAYOUT, 24,
                        "type@0 identity_partition_id@8 identity_high@16"),
                pin("StatsPageLocation", dev.parvis.abi.hv.input.StatsPageLocation.LAYOUT, 8, "map_location@0"),
                pin("PartitionPropertyValue", PartitionPropertyValue.LAYOUT, 8, "value@0"),
                pin("SetPartitionPropertyInput", SetPartitionPropertyInput.LAYOUT, 24,
                        "partition_id@0 property_code@8 value@16"),
                pin("DepositMemoryHeader", DepositMemoryHeader.LAYOUT, 8, "partition_id@0"),
                pin("WithdrawMemoryHeader", WithdrawMemoryHeader.LAYOUT, 16, "partition_id@0 proximity_domain_info@8"),
                pin("MapGpaPagesHeader", MapGpaPagesHeader.LAYOUT, 24,
                        "target_partition_id@0 target_gpa_base@8 map_flags@16"),
                pin("UnmapGpaPagesHeader", UnmapGpaPagesHeader.LAYOUT, 24,
                        "target_partition_id@0 target_gpa_base@8 unmap_flags@16"),
                pin("InstallInterceptInput", InstallInterceptInput.LAYOUT, 24,
                        "partition_id@0 access_type_mask@8 intercept_type@12 parameters@16"),
                pin("CreateVpInput", CreateVpInput.LAYOUT, 40,
                        "partition_id@0 vp_index@8 subnode_type@15 subnode_id@16 proximity_domain_info@24 flags@32"),
                pin("DeleteVpInput", DeleteVpInput.LAYOUT, 16, "partition_id@0 vp_index@8"),
                pin("TableValue", TableValue.LAYOUT, 16, "limit@6 base@8"),
                pin("InitialVpContext", InitialVpContext.LAYOUT, 224,
                        "rip@0 rsp@8 rflags@16 cs@24 ds@40 es@56 fs@72 gs@88 ss@104 tr@120 ldtr@136 idtr@152 gdtr@168 "
                                + "efer@184 cr0@192 cr3@200 cr4@208 msr_cr_pat@216"),
                pin("StartVirtualProcessorInput", StartVirtualProcessorInput.LAYOUT, 240,
                        "partition_id@0 vp_index@8 target_vtl@12 vp_context@16"),
                pin("VpStateHeader", VpStateHeader.LAYOUT, 40,
                        "partition_id@0 vp_index@8 input_vtl@12 reserved0@13 reserved1@14 type@16 reserved2@20 "
                                + "xsave_flags@24 xsave_states@32"),
                pin("PendingMessages.HEADER", PendingMessages.HEADER, 16, "count@0 entry_size@4 reserved@8"),
                pin("PendingMessages.ENTRY", PendingMessages.ENTRY, 272, "kind@0 sint@4 sender@8 message@16"),
                pin("PortInfo", PortInfo.LAYOUT, 24,
                        "port_type@0 target_sint@8 target_vp@12 base_flag_number@16 flag_count@18"),
                pin("CreatePortInput", CreatePortInput.LAYOUT, 56,
                        "port_partition_id@0 port_id@8 port_vtl@12 min_connection_vtl@13 connection_partition_id@16 "
                                + "port_info@24 proximity_domain_info@48"),
                pin("DeletePortInput", DeletePortInput.LAYOUT, 16, "port_partition_id@0 port_id@8"),
                pin("ConnectionInfo", ConnectionInfo.LAYOUT, 32, "port_type@0 monitor_address@8"),
                pin("ConnectPortInput", ConnectPortInput.LAYOUT, 72,
                        "connection_partition_id@0 connection_id@8 connection_vtl@12 port_partition_id@16 port_id@24 "
                                + "connection_info@32 proximity_domain_info@64"),
                pin("DisconnectPortInput", DisconnectPortInput.LAYOUT, 16,
                        "connection_partition_id@0 connection_id@8 flags@12"),
                pin("ReadGpaInput", ReadGpaInput.LAYOUT, 32,
                        "partition_id@0 vp_index@8 byte_count@12 base_gpa@16 control_flags@24"),
                pin("ReadGpaOutput", ReadGpaOutput.LAYOUT, 24, "access_result@0 data@8"),
                pin("WriteGpaInput", WriteGpaInput.LAYOUT, 48,
                        "partition_id@0 vp_index@8 byte_count@12 base_gpa@16 control_flags@24 data@32"),
                pin("WriteGpaOutput", WriteGpaOutput.LAYOUT, 8, "access_result@0"),
                pin("SegmentValue", SegmentValue.LAYOUT, 16, "base@0 limit@8 selector@12 attributes@14"),
                pin("InterceptHeader", InterceptHeader.LAYOUT, 40,
                        "vp_index@0 instruction_length@4 access_type@5 execution_state@6 cs@8 rip@24 rflags@32"),
                pin("MemoryInterceptMessage", MemoryInterceptMessage.LAYOUT, 80,
                        "header@0 cache_type@40 instruction_byte_count@44 memory_access_info@45 tpr_priority@46 "
                                + "reserved@47 guest_virtual_address@48 guest_physical_address@56 instruction_bytes@64"),
                pin("IoPortInterceptMessage", IoPortInterceptMessage.LAYOUT, 72,
                        "header@0 port_number@40 access_info@42 instruction_byte_count@43 reserved@44 rax@48 "
                                + "instruction_bytes@56"),
                pin("MsrInterceptMessage", MsrInterceptMessage.LAYOUT, 64, "header@0 msr_number@40 reserved@44 rdx@48 rax@56"),
                pin("CpuidInterceptMessage", CpuidInterceptMessage.LAYOUT, 104,
                        "header@0 rax@40 rcx@48 rdx@56 rbx@64 default_result_rax@72 default_result_rcx@80 "
                                + "default_result_rdx@88 default_result_rbx@96"),
                pin("UnrecoverableExceptionMessage", UnrecoverableExceptionMessage.LAYOUT, 48, "header@0 vector@40"),
                pin("PartitionFailedMessage", PartitionFailedMessage.LAYOUT, 240, "reason_length@0 reason@4"),
                pin("BootInfo", BootInfo.LAYOUT, 104,
                        "magic@0 version@8 size@12 partition_id@16 vp_index@24 vp_count@28 hypercall_page_gpa@32 "
                                + "ram_size@40 image_base_gpa@48 image_end_gpa@56 free_base_gpa@64 stack_base_gpa@72 "
                                + "stack_top_gpa@80 root_message_connection_id@88 root_event_connection_id@92 "
                                + "root_message_sint@96 reserved@100"),
                // VMBus, reference sections 6.4, 7.1-7.3 and 8 (message offsets include the 8-byte header).
                pin("Guid", Guid.LAYOUT, 16, "data1@0 data2@4 data3@6 data4@8"),
                pin("ChannelMessageHeader", ChannelMessageHeader.LAYOUT, 8, "message_type@0 padding@4"),
                pin("OfferChannel", OfferChannel.LAYOUT, 196,
                        "header@0 interface_type@8 interface_instance@24 reserved1@40 channel_flags@56 mmio_megabytes@58 "
                                + "user_defined@60 sub_channel_index@180 reserved3@182 child_relid@184 monitor_id@188 "
                                + "monitor_allocated@189 is_dedicated_interrupt@190 connection_id@192"),
                pin("RescindChannelOffer", RescindChannelOffer.LAYOUT, 12, "header@0 child_relid@8"),
                pin("RequestOffers", RequestOffers.LAYOUT, 8, "header@0"),
                pin("AllOffersDelivered", AllOffersDelivered.LAYOUT, 8, "header@0"),
                pin("OpenChannel", OpenChannel.LAYOUT, 148,
                        "header@0 child_relid@8 open_id@12 ring_buffer_gpadl_handle@16 target_vp@20 "
                                + "downstream_ring_buffer_page_offset@24 user_data@28"),
                pin("OpenChannelResult", OpenChannelResult.LAYOUT, 20, "header@0 child_relid@8 open_id@12 status@16"),
                pin("CloseChannel", CloseChannel.LAYOUT, 12, "header@0 child_relid@8"),
                pin("GpadlHeader", GpadlHeader.LAYOUT, 20, "header@0 child_relid@8 gpadl@12 range_buflen@16 range_count@18"),
                pin("GpaRange", GpaRange.LAYOUT, 8, "byte_count@0 byte_offset@4"),
                pin("GpadlBody", GpadlBody.LAYOUT, 16, "header@0 msg_number@8 gpadl@12"),
                pin("GpadlCreated", GpadlCreated.LAYOUT, 20, "header@0 child_relid@8 gpadl@12 creation_status@16"),
                pin("GpadlTeardown", GpadlTeardown.LAYOUT, 16, "header@0 child_relid@8 gpadl@12"),
                pin("GpadlTorndown", GpadlTorndown.LAYOUT, 12, "header@0 gpadl@8"),
                pin("RelidReleased", RelidReleased.LAYOUT, 12, "header@0 child_relid@8"),
                pin("InitiateContact", InitiateContact.LAYOUT, 40,
                        "header@0 vmbus_version_requested@8 target_vcpu@12 interrupt_page@16 monitor_page1@24 "
                                + "monitor_page2@32"),
                pin("VersionResponse", VersionResponse.LAYOUT, 16,
                        "header@0 version_supported@8 connection_state@9 padding@10 msg_conn_id@12"),
                pin("Unload", Unload.LAYOUT, 8, "header@0"),
                pin("UnloadResponse", UnloadResponse.LAYOUT, 8, "header@0"),
                pin("ModifyChannel", ModifyChannel.LAYOUT, 16, "header@0 child_relid@8 target_vp@12"),
                pin("ModifyChannelResponse", ModifyChannelResponse.LAYOUT, 16, "header@0 child_relid@8 status@12"),
                pin("RingControl", RingControl.LAYOUT, 4096,
                        "write_index@0 read_index@4 interrupt_mask@8 pending_send_size@12 reserved1@16 feature_bits@64 "
                                + "reserved2@68"),
                pin("PacketDescriptor", PacketDescriptor.LAYOUT, 16, "type@0 offset8@2 len8@4 flags@6 transaction_id@8"),
                pin("GpaDirectHeader", GpaDirectHeader.LAYOUT, 8, "reserved@0 range_count@4"),
                pin("TransferPageHeader", TransferPageHeader.LAYOUT, 8,
                        "xfer_pageset_id@0 sender_owns_set@2 reserved@3 range_count@4"),
                pin("TransferPageRange", TransferPageRange.LAYOUT, 8, "byte_count@0 byte_offset@4"),
                pin("PipeHeader", PipeHeader.LAYOUT, 8, "type@0 length@4"),
                // Integration services, reference section 9 and docs/ic.md.
                pin("IcVersion", IcVersion.LAYOUT, 4, "major@0 minor@2"),
                pin("IcMessageHeader", IcMessageHeader.LAYOUT, 20,
                        "framework_major@0 framework_minor@2 message_type@4 message_major@6 message_minor@8 "
                                + "message_size@10 status@12 transaction_id@16 flags@17 reserved@18"),
                pin("IcNegotiate", IcNegotiate.LAYOUT, 8, "icframe_vercnt@0 icmsg_vercnt@2 reserved@4"),
                pin("HeartbeatMessage", HeartbeatMessage.LAYOUT, 40, "sequence_number@0 application_state@8 reserved@12"),
                pin("ShutdownMessage", ShutdownMessage.LAYOUT, 2060,
                        "reason_code@0 timeout_seconds@4 flags@8 display_message@12"),
                pin("TimesyncMessage", TimesyncMessage.LAYOUT, 24,
                        "parent_time@0 vm_reference_time@8 flags@16 leap_indicator@17 stratum@18 reserved@19"),
                pin("KvpHeader", KvpHeader.LAYOUT, 4, "operation@0 pool@1 reserved@2"),
                pin("KvpValue", KvpValue.LAYOUT, 2572, "value_type@0 key_size@4 value_size@8 key@12 value@524"),
                pin("KvpEnumerate", KvpEnumerate.LAYOUT, 2576, "index@0 data@4"),
                pin("KvpDelete", KvpDelete.LAYOUT, 516, "key_size@0 key@4"),
                pin("FcopyHeader", FcopyHeader.LAYOUT, 36, "operation@0 service_id0@4 service_id1@20"),
                pin("FcopyStart", FcopyStart.LAYOUT, 1088,
                        "header@0 file_name@36 path_name@556 copy_flags@1076 file_size@1080"),
                pin("FcopyWrite", FcopyWrite.LAYOUT, 6200, "header@0 pad@36 offset@40 size@48 data@52"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void layoutMatchesTheReference(String name, StructLayout layout, long size, String fields) {
        assertEquals(size, layout.byteSize(), name + " size");
        for (String field : fields.split(" ")) {
            String[] f = field.split("@");
            assertEquals(Long.parseLong(f[1]), layout.byteOffset(groupElement(f[0])), name + "." + f[0]);
        }
        long named = layout.memberLayouts().stream().filter(m -> m.name().isPresent()).count();
        assertEquals(fields.split(" ").length, named, name + ": every named field is pinned");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void layoutIsNaturallyAligned(String name, StructLayout layout, long size, String fields) {
        long maxAlign = layout.memberLayouts().stream().mapToLong(MemoryLayout::byteAlignment).max().orElse(1);
        assertEquals(0, layout.byteSize() % maxAlign, name + " size is a multiple of its alignment");
    }

    @org.junit.jupiter.api.Test
    void ringControlOffsetsForVarHandlesMatchTheReference() {
        assertEquals(0, RingControl.WRITE_INDEX_OFFSET);
        assertEquals(4, RingControl.READ_INDEX_OFFSET);
        assertEquals(8, RingControl.INTERRUPT_MASK_OFFSET);
        assertEquals(12, RingControl.PENDING_SEND_SIZE_OFFSET);
        assertEquals(64, RingControl.FEATURE_BITS_OFFSET);
        assertEquals(16, PacketDescriptor.SIZE);
        assertEquals(VmbusConstants.RING_CONTROL_SIZE, RingControl.LAYOUT.byteSize());
    }

    @org.junit.jupiter.api.Test
    void everyChannelMessageRecordIsPinnedAndSizedByItsLayout() {
        for (Class<?> c : ChannelMessage.class.getPermittedSubclasses()) {
            boolean pinned = layouts().anyMatch(a -> a.get()[0].equals(c.getSimpleName()));
            assertEquals(true, pinned, c.getSimpleName() + " is pinned");
        }
    }

    private static Arguments pin(String name, StructLayout layout, long size, String fields) {
        return Arguments.of(name, layout, size, fields);
    }
}
