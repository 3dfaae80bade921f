/* privcheck - a child issues the root's management hypercalls. Request from
 * the root: payload {u64 other_partition_id} (another child the root runs).
 * Every call below is well formed, so a child privilege check is the only
 * thing that may refuse it. The guest replies with one u16 status per call,
 * in the order of `checks` (see PrivcheckGuestTest). */
#include <parvis/parvis.h>

#define REPLY_MESSAGE_TYPE 1u
#define ROOT_PARTITION_ID 1ull
#define SPARE_GPN 0x5000ull /* far beyond RAM: a map that succeeded would land here */

struct privcheck_request {
    uint64_t other_partition_id;
};

static uint64_t in_gpa(void) { return (uintptr_t)hv_input_page(); }
static uint64_t out_gpa(void) { return (uintptr_t)hv_output_page(); }

static void *fresh_input(void)
{
    memset(hv_input_page(), 0, 256);
    return hv_input_page();
}

static uint16_t create_partition(void)
{
    fresh_input(); /* flags 0, no isolation: what the root's loader passes */
    return hv_status(hv_hypercall(HVCALL_CREATE_PARTITION, in_gpa(), out_gpa()));
}

static uint16_t fast_on_partition(uint16_t code, uint64_t partition_id)
{
    return hv_status(hv_hypercall_fast(code, partition_id, 0));
}

static uint16_t deposit_memory(uint64_t partition_id, uint64_t own_gpn)
{
    struct hv_input_deposit_memory *in = fresh_input();
    in->partition_id = partition_id;
    ((uint64_t *)(in + 1))[0] = own_gpn;
    return hv_status(hv_hypercall(hv_control(HVCALL_DEPOSIT_MEMORY, 1, 0), in_gpa(), 0));
}

static uint16_t withdraw_memory(uint64_t partition_id)
{
    struct hv_input_withdraw_memory *in = fresh_input();
    in->partition_id = partition_id;
    return hv_status(hv_hypercall(hv_control(HVCALL_WITHDRAW_MEMORY, 1, 0), in_gpa(), out_gpa()));
}

static uint16_t map_gpa_pages(uint64_t partition_id, uint64_t own_gpn)
{
    struct hv_input_map_gpa_pages *in = fresh_input();
    in->target_partition_id = partition_id;
    in->target_gpa_base = SPARE_GPN;
    in->map_flags = HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE;
    ((uint64_t *)(in + 1))[0] = own_gpn;
    return hv_status(hv_hypercall(hv_control(HVCALL_MAP_GPA_PAGES, 1, 0), in_gpa(), 0));
}

static uint16_t unmap_gpa_pages(uint64_t partition_id, uint64_t gpn)
{
    struct hv_input_unmap_gpa_pages *in = fresh_input();
    in->target_partition_id = partition_id;
    in->target_gpa_base = gpn;
    return hv_status(hv_hypercall(hv_control(HVCALL_UNMAP_GPA_PAGES, 1, 0), in_gpa(), 0));
}

static uint16_t create_vp(uint64_t partition_id, uint32_t vp_index)
{
    struct hv_input_create_vp *in = fresh_input();
    in->partition_id = partition_id;
    in->vp_index = vp_index;
    return hv_status(hv_hypercall(HVCALL_CREATE_VP, in_gpa(), 0));
}

static uint16_t create_port(uint64_t port_partition, uint64_t connection_partition, uint32_t port_id)
{
    struct hv_input_create_port *in = fresh_input();
    in->port_partition_id = port_partition;
    in->port_id = port_id;
    in->connection_partition_id = connection_partition;
    in->port_info.port_type = HV_PORT_TYPE_MESSAGE;
    in->port_info.target_sint = 1;
    in->port_info.target_vp = 0;
    return hv_status(hv_hypercall(HVCALL_CREATE_PORT, in_gpa(), 0));
}

static uint16_t connect_port(uint64_t connection_partition, uint32_t connection_id,
                             uint64_t port_partition, uint32_t port_id)
{
    struct hv_input_connect_port *in = fresh_input();
    in->connection_partition_id = connection_partition;
    in->connection_id = connection_id;
    in->port_partition_id = port_partition;
    in->port_id = port_id;
    in->connection_info.port_type = HV_PORT_TYPE_MESSAGE;
    return hv_status(hv_hypercall(HVCALL_CONNECT_PORT, in_gpa(), 0));
}

static uint16_t read_gpa(uint64_t partition_id, uint64_t gpa)
{
    struct hv_input_read_gpa *in = fresh_input();
    in->partition_id = partition_id;
    in->byte_count = 8;
    in->base_gpa = gpa;
    return hv_status(hv_hypercall(HVCALL_READ_GPA, in_gpa(), out_gpa()));
}

static uint16_t write_gpa(uint64_t partition_id, uint64_t gpa)
{
    struct hv_input_write_gpa *in = fresh_input();
    in->partition_id = partition_id;
    in->byte_count = 8;
    in->base_gpa = gpa;
    memset(in->data, 0xA5, sizeof(in->data));
    return hv_status(hv_hypercall(HVCALL_WRITE_GPA, in_gpa(), out_gpa()));
}

static uint16_t install_intercept(uint64_t partition_id)
{
    struct hv_input_install_intercept *in = fresh_input();
    in->partition_id = partition_id;
    in->access_type_mask = HV_INTERCEPT_TYPE_ACCESS_WRITE;
    in->intercept_type = HV_INTERCEPT_TYPE_X64_IO_PORT;
    in->parameters = 0x80;
    return hv_status(hv_hypercall(HVCALL_INSTALL_INTERCEPT, in_gpa(), 0));
}

static uint16_t get_vp_index_of(uint64_t partition_id)
{
    struct hv_input_vp_registers *in = fresh_input();
    in->partition_id = partition_id;
    in->vp_index = 0;
    *(uint32_t *)(in + 1) = HV_REGISTER_VP_INDEX;
    return hv_status(hv_hypercall(hv_control(HVCALL_GET_VP_REGISTERS, 1, 0), in_gpa(), out_gpa()));
}

static uint16_t set_rip_of(uint64_t partition_id)
{
    struct hv_input_vp_registers *in = fresh_input();
    in->partition_id = partition_id;
    in->vp_index = 0;
    struct hv_register_assoc *assoc = (struct hv_register_assoc *)(in + 1);
    assoc->name = HV_REGISTER_RIP;
    assoc->value.low = 0;
    return hv_status(hv_hypercall(hv_control(HVCALL_SET_VP_REGISTERS, 1, 0), in_gpa(), 0));
}

/*
 * HvCallMapStatsPage / HvCallUnmapStatsPage on a partition (Linux hvhdk_mini.h: hv_input_map_stats_page
 * is a u32 object type, 4 bytes of padding, then the identity; HV_STATS_OBJECT_PARTITION is
 * 0x00010001 and the partition identity starts with the u64 partition id, SELF area 0 in its last byte).
 */
static uint16_t stats_page(uint16_t code, uint64_t partition_id)
{
    uint32_t *in = fresh_input();
    in[0] = 0x00010001u;
    *(uint64_t *)(in + 2) = partition_id;
    return hv_status(hv_hypercall(code, in_gpa(), code == HVCALL_MAP_STATS_PAGE ? out_gpa() : 0));
}

int main(void)
{
    const struct parvis_boot_info *boot = parvis_boot();
    uint32_t sint = boot->root_message_sint;
    uint16_t status = synic_enable(sint);
    dbg_printf("privcheck: SynIC on SINT %u (status 0x%x), waiting for {other_partition_id}\n", sint,
               status);
    if (status != HV_STATUS_SUCCESS)
        return 1;

    struct hv_message message;
    synic_wait_message(sint, &message);
    if (message.payload_size < sizeof(struct privcheck_request)) {
        dbg_printf("privcheck: request too short (%u bytes)\n", message.payload_size);
        return 2;
    }
    struct privcheck_request req;
    memcpy(&req, message.payload, sizeof(req));
    uint64_t self = boot->partition_id;
    uint64_t other = req.other_partition_id;
    uint64_t own_gpn = (uintptr_t)page_alloc() >> HV_PAGE_SHIFT;

    /* Order matters: PrivcheckGuestTest names each index. */
    uint16_t statuses[] = {
        create_partition(),
        fast_on_partition(HVCALL_INITIALIZE_PARTITION, other),
        fast_on_partition(HVCALL_FINALIZE_PARTITION, other),
        fast_on_partition(HVCALL_DELETE_PARTITION, other),
        deposit_memory(self, own_gpn),
        withdraw_memory(other),
        map_gpa_pages(self, own_gpn),
        map_gpa_pages(other, own_gpn),
        unmap_gpa_pages(other, 0x100),
        create_vp(self, 1),
        create_vp(other, 1),
        create_port(self, ROOT_PARTITION_ID, 9),
        create_port(other, self, 9),
        connect_port(self, 77, ROOT_PARTITION_ID, (uint32_t)(self * 2)),
        connect_port(other, 77, self, 1),
        read_gpa(other, 0x2000),
        write_gpa(other, 0x100000),
        install_intercept(other),
        get_vp_index_of(ROOT_PARTITION_ID),
        get_vp_index_of(other),
        get_vp_index_of(0x7FFFFFFFull), /* no such partition */
        set_rip_of(other),
        stats_page(HVCALL_MAP_STATS_PAGE, other),
        stats_page(HVCALL_MAP_STATS_PAGE, self),
        stats_page(HVCALL_UNMAP_STATS_PAGE, other),
    };
    unsigned n = sizeof(statuses) / sizeof(statuses[0]);
    for (unsigned i = 0; i < n; i++)
        dbg_printf("privcheck: call %u -> status 0x%x\n", i, statuses[i]);

    status = hv_post_message(boot->root_message_connection_id, REPLY_MESSAGE_TYPE, statuses,
                             sizeof(statuses));
    dbg_printf("privcheck: reported %u statuses to the root (status 0x%x)\n", n, status);
    return status == HV_STATUS_SUCCESS ? 0 : 3;
}
