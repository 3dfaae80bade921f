/* abi_check.c - compile-time checks of the generated header against the
 * published layouts (hyperv-abi-vmbus.md, README "Boot protocol"). No code. */
#include <stddef.h>
#include <parvis/hvabi.h>

#define CHECK_SIZE(type, n) _Static_assert(sizeof(type) == (n), #type " size")
#define CHECK_AT(type, field, n) _Static_assert(offsetof(type, field) == (n), #type "." #field)

CHECK_SIZE(struct hv_message, 256);
CHECK_AT(struct hv_message, payload_size, 4);
CHECK_AT(struct hv_message, message_flags, 5);
CHECK_AT(struct hv_message, sender, 8);
CHECK_AT(struct hv_message, payload, 16);

CHECK_SIZE(struct hv_input_post_message, 256);
CHECK_AT(struct hv_input_post_message, message_type, 8);
CHECK_AT(struct hv_input_post_message, payload_size, 12);
CHECK_AT(struct hv_input_post_message, payload, 16);

CHECK_SIZE(struct hv_input_signal_event, 8);
CHECK_AT(struct hv_input_signal_event, flag_number, 4);

CHECK_SIZE(struct hv_input_vp_registers, 16);
CHECK_AT(struct hv_input_vp_registers, vp_index, 8);
CHECK_AT(struct hv_input_vp_registers, input_vtl, 12);

CHECK_SIZE(struct hv_register_value, 16);
CHECK_SIZE(struct hv_register_assoc, 32);
CHECK_AT(struct hv_register_assoc, reserved2, 8);

CHECK_SIZE(struct hv_input_post_debug_data, 4096);
CHECK_AT(struct hv_input_post_debug_data, data, 8);

CHECK_AT(struct parvis_boot_info, partition_id, 16);
CHECK_AT(struct parvis_boot_info, vp_index, 24);
CHECK_AT(struct parvis_boot_info, hypercall_page_gpa, 32);
CHECK_AT(struct parvis_boot_info, ram_size, 40);
CHECK_AT(struct parvis_boot_info, image_base_gpa, 48);
CHECK_AT(struct parvis_boot_info, free_base_gpa, 64);
CHECK_AT(struct parvis_boot_info, stack_top_gpa, 80);
CHECK_AT(struct parvis_boot_info, root_message_connection_id, 88);
CHECK_AT(struct parvis_boot_info, root_event_connection_id, 92);
CHECK_AT(struct parvis_boot_info, root_message_sint, 96);
CHECK_AT(struct parvis_boot_info, reserved, 100);
CHECK_SIZE(struct parvis_boot_info, 104);

_Static_assert(HV_MESSAGE_SIZE == 256 && HV_MESSAGE_MAX_PAYLOAD == 240, "message sizes");
_Static_assert(HV_PAGE_SIZE == 4096, "page size");
