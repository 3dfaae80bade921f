/* badcalls - malformed hypercalls from a child. Request from the root: any
 * message (start). The guest issues each malformed call of `cases` (the order
 * BadHypercallsTest names), then a valid GetVpRegisters(VP_INDEX), and replies
 * {u16 status[N], u16 boot_info_unchanged}. It then echoes one more root
 * message back (proof it still runs) and powers off. */
#include <parvis/parvis.h>

#define REPLY_MESSAGE_TYPE 1u
#define UNCONNECTED_CONNECTION 0x123u
#define UNMAPPED_GPA 0x70000000ull
#define CONTROL_BIT(n) (1ull << (n))

static uint64_t in_gpa(void) { return (uintptr_t)hv_input_page(); }
static uint64_t out_gpa(void) { return (uintptr_t)hv_output_page(); }

/* A PostMessage input that would be delivered to the root if the call were
 * accepted: every case that uses it must be refused before delivery. */
static void post_message_input(uint32_t connection_id, uint32_t payload_size)
{
    struct hv_input_post_message *in = hv_input_page();
    memset(in, 0, sizeof(*in));
    in->connection_id = connection_id;
    in->message_type = REPLY_MESSAGE_TYPE;
    in->payload_size = payload_size;
    memcpy(in->payload, "stray", 5);
}

/* GetVpRegisters header (self, self) with `count` VP_INDEX elements at `gpa`. */
static void vp_index_input(void *at, unsigned count)
{
    struct hv_input_vp_registers *in = at;
    memset(in, 0, sizeof(*in));
    in->partition_id = HV_PARTITION_ID_SELF;
    in->vp_index = HV_VP_INDEX_SELF;
    uint32_t *names = (uint32_t *)(in + 1);
    for (unsigned i = 0; i < count; i++)
        names[i] = HV_REGISTER_VP_INDEX;
}

static uint16_t call(uint64_t control, uint64_t in, uint64_t out)
{
    return hv_status(hv_hypercall(control, in, out));
}

static uint16_t post_with_control(uint64_t control)
{
    const struct parvis_boot_info *boot = parvis_boot();
    post_message_input(boot->root_message_connection_id, 5);
    return call(control, in_gpa(), 0);
}

int main(void)
{
    const struct parvis_boot_info *boot = parvis_boot();
    uint32_t sint = boot->root_message_sint;
    uint16_t status = synic_enable(sint);
    dbg_printf("badcalls: SynIC on SINT %u (status 0x%x), waiting for start\n", sint, status);
    if (status != HV_STATUS_SUCCESS)
        return 1;

    struct hv_message message;
    synic_wait_message(sint, &message);
    struct parvis_boot_info boot_before = *boot;
    uint32_t root_conn = boot->root_message_connection_id;
    uint8_t *input = hv_input_page();

    uint16_t statuses[20];
    unsigned n = 0;
    /* 0: unknown call code */
    statuses[n++] = call(0x7777, in_gpa(), out_gpa());
    /* 1-4: reserved control bits 27, 44, 60 and the nested bit 31 on a valid PostMessage */
    statuses[n++] = post_with_control(HVCALL_POST_MESSAGE | CONTROL_BIT(27));
    statuses[n++] = post_with_control(HVCALL_POST_MESSAGE | CONTROL_BIT(44));
    statuses[n++] = post_with_control(HVCALL_POST_MESSAGE | CONTROL_BIT(60));
    statuses[n++] = post_with_control(HVCALL_POST_MESSAGE | CONTROL_BIT(31));
    /* 5: misaligned input GPA */
    post_message_input(root_conn, 5);
    memmove(input + 4, input, 256);
    statuses[n++] = call(HVCALL_POST_MESSAGE, in_gpa() + 4, 0);
    /* 6: input GPA not mapped at all */
    post_message_input(root_conn, 5);
    statuses[n++] = call(HVCALL_POST_MESSAGE, UNMAPPED_GPA, 0);
    /* 7: input GPA in the never-mapped page 0 */
    statuses[n++] = call(HVCALL_POST_MESSAGE, 0, 0);
    /* 8: output GPA in the read-only boot information page */
    vp_index_input(input, 1);
    statuses[n++] = call(hv_control(HVCALL_GET_VP_REGISTERS, 1, 0), in_gpa(), (uintptr_t)boot);
    /* 9: rep count past the page: 16 + 4 * 2000 > 4096 */
    vp_index_input(input, 1);
    statuses[n++] = call(hv_control(HVCALL_GET_VP_REGISTERS, 2000, 0), in_gpa(), out_gpa());
    /* 10: rep start >= rep count */
    statuses[n++] = call(hv_control(HVCALL_GET_VP_REGISTERS, 1, 1), in_gpa(), out_gpa());
    /* 11: simple call with a rep count */
    post_message_input(root_conn, 5);
    statuses[n++] = call(hv_control(HVCALL_POST_MESSAGE, 1, 0), in_gpa(), 0);
    /* 12: fast form of a slow-only call */
    statuses[n++] = hv_status(hv_hypercall_fast(HVCALL_POST_MESSAGE, root_conn, 0));
    /* 13: input crossing the page end: 20 bytes at offset 4088 */
    /* (nothing is written there: the page check refuses the call before any read) */
    statuses[n++] = call(hv_control(HVCALL_GET_VP_REGISTERS, 1, 0), in_gpa() + 4088, out_gpa());
    /* 14: payload_size 241 */
    post_message_input(root_conn, 241);
    statuses[n++] = call(HVCALL_POST_MESSAGE, in_gpa(), 0);
    /* 15: connection the root never made */
    post_message_input(UNCONNECTED_CONNECTION, 5);
    statuses[n++] = call(HVCALL_POST_MESSAGE, in_gpa(), 0);
    /* 16: SignalEvent with its reserved input bits (48-63) set */
    statuses[n++] = hv_status(hv_hypercall_fast(
        HVCALL_SIGNAL_EVENT, (uint64_t)boot->root_event_connection_id | (0xBEEFull << 48), 0));
    /* 17: the same valid call as 8, now with a writable output page, still works */
    uint64_t vp_index = ~0ull;
    statuses[n++] = hv_get_vp_register(HV_REGISTER_VP_INDEX, &vp_index);
    /* 18: the VP index it read */
    statuses[n++] = (uint16_t)vp_index;
    /* 19: the boot information page is unchanged */
    statuses[n++] = memcmp(&boot_before, boot, sizeof(boot_before)) == 0;

    for (unsigned i = 0; i < n; i++)
        dbg_printf("badcalls: case %u -> 0x%x\n", i, statuses[i]);
    status = hv_post_message(root_conn, REPLY_MESSAGE_TYPE, statuses, n * sizeof(statuses[0]));
    dbg_printf("badcalls: reported %u results (status 0x%x)\n", n, status);
    if (status != HV_STATUS_SUCCESS)
        return 2;

    synic_wait_message(sint, &message);
    status = hv_post_message(root_conn, REPLY_MESSAGE_TYPE, message.payload, message.payload_size);
    dbg_printf("badcalls: echoed %u bytes (status 0x%x)\n", message.payload_size, status);
    return status == HV_STATUS_SUCCESS ? 0 : 3;
}
