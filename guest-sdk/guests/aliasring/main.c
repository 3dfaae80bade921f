/* aliasring - offers the host aliased ring pages, for the root's isolation
 * tests (docs/vmbus.md, "Hostile input").
 *
 * Every round, on the echo device's relid while its channel is closed:
 *   1 a GPADL of pages [A, B, A, B] (the same two pages twice) opened as a
 *     ring with the out ring at page 2: both rings' control and data pages
 *     coincide, so every packet the host writes is also its next input;
 *   2 a GPADL of pages [A, B, C, B] opened at page 2: the in and out rings
 *     share data page B;
 * then a proper channel on pages of its own, one echo, and a close. If the
 * host ever accepts an aliased open, the guest writes one 64-byte packet into
 * it and signals, as the attack it is (a host without the check then echoes
 * into its own input forever).
 *
 * Runs until the root sends any command (boot->root_message_sint), then
 * replies {u32 rounds, u32 same_pages_status, u32 overlap_status,
 * u32 accepted, u32 echoes_ok} (the last round's OPENCHANNEL_RESULT statuses,
 * aliased opens the host accepted, rounds whose echo came back intact),
 * unloads and returns 0 iff no aliased open was accepted and every echo
 * worked. Every wait is bounded. */
#include <parvis/parvis.h>
#include <parvis/rootcmd.h>
#include <parvis/vmbus.h>

#define TICKS_PER_MS 10000ull
#define WAIT_TICKS (2000 * TICKS_PER_MS)
#define RING_BYTES 4096u
#define ECHO_BYTES 64u
#define OPEN_ID 0xA11A5u

struct report {
    uint32_t rounds;
    uint32_t same_pages_status;
    uint32_t overlap_status;
    uint32_t accepted;
    uint32_t echoes_ok;
};

static struct vmbus_connection conn;
static struct vmbus_offer echo;

static uint64_t pfn(const uint8_t *page) { return (uintptr_t)page >> 12; }

/* GPADL_HEADER carrying every PFN (at most 26), then the host's answer. */
static int gpadl_of(const uint64_t *pfns, uint32_t count, uint32_t *handle)
{
    union {
        struct {
            struct vmbus_gpadl_header fixed;
            struct vmbus_gpa_range range;
            uint64_t pfn[VMBUS_MAX_GPADL_HEADER_PFNS];
        } __attribute__((packed)) h;
        uint8_t bytes[HV_MESSAGE_MAX_PAYLOAD];
    } m;
    *handle = conn.next_gpadl++;
    m.h.fixed = (struct vmbus_gpadl_header){
        .header = {.message_type = VMBUS_MSG_GPADL_HEADER},
        .child_relid = echo.child_relid,
        .gpadl = *handle,
        .range_buflen = (uint16_t)(sizeof(struct vmbus_gpa_range) + 8 * count),
        .range_count = 1,
    };
    m.h.range = (struct vmbus_gpa_range){.byte_count = count * HV_PAGE_SIZE, .byte_offset = 0};
    for (uint32_t i = 0; i < count; i++)
        m.h.pfn[i] = pfns[i];
    int rc = vmbus_post(&conn, m.bytes, (uint32_t)(sizeof(m.h.fixed) + sizeof(m.h.range) + 8 * count));
    if (rc)
        return rc;
    struct vmbus_control_message answer;
    rc = vmbus_wait_control(&conn, VMBUS_MSG_GPADL_CREATED,
                            __builtin_offsetof(struct vmbus_gpadl_created, gpadl), *handle, &answer);
    return rc ? rc : (int)answer.msg.gpadl_created.creation_status;
}

/* An accepting host: one packet into the aliased ring (control page `ring`,
 * data page after it in the GPADL's order: `data`), signalled. */
static void attack_accepted_ring(uint8_t *control, uint8_t *data)
{
    volatile struct vmbus_ring_control *rc = (volatile struct vmbus_ring_control *)control;
    volatile uint64_t *w = (volatile uint64_t *)data;
    uint32_t len8 = (16u + ECHO_BYTES) / 8u;
    w[0] = (uint64_t)VMBUS_PACKET_TYPE_DATA_INBAND | (uint64_t)2 << 16 | (uint64_t)len8 << 32;
    w[1] = 0xA11A5ull;
    for (uint32_t k = 0; k < ECHO_BYTES / 8; k++)
        w[2 + k] = 0x4141414141414141ull;
    w[len8] = 0; /* trailer: packet starts at offset 0 */
    cpu_mb();
    rc->write_index = (len8 + 1) * 8;
    cpu_mb();
    hv_signal_event(echo.connection_id, 0);
}

/* OPENCHANNEL of the echo relid on a GPADL of `pfns` with the out ring at page
 * 2; returns OPENCHANNEL_RESULT's status (or a VMBUS_ERR_*). */
static uint32_t open_aliased(const uint64_t *pfns, uint32_t count, uint8_t *control, uint8_t *data,
                             uint32_t *accepted)
{
    uint32_t handle;
    memset(control, 0, HV_PAGE_SIZE);
    int rc = gpadl_of(pfns, count, &handle);
    if (rc)
        return (uint32_t)rc;
    struct vmbus_open_channel open = {
        .header = {.message_type = VMBUS_MSG_OPEN_CHANNEL},
        .child_relid = echo.child_relid,
        .open_id = OPEN_ID,
        .ring_buffer_gpadl_handle = handle,
        .downstream_ring_buffer_page_offset = 2,
    };
    uint32_t status = (uint32_t)vmbus_post(&conn, &open, sizeof(open));
    struct vmbus_control_message m;
    if (status == 0)
        status = (uint32_t)vmbus_wait_control(
            &conn, VMBUS_MSG_OPEN_CHANNEL_RESULT,
            __builtin_offsetof(struct vmbus_open_channel_result, child_relid), echo.child_relid, &m);
    if (status == 0)
        status = m.msg.open_result.status;
    if (status == 0) {
        (*accepted)++;
        attack_accepted_ring(control, data);
        struct vmbus_close_channel close = {.header = {.message_type = VMBUS_MSG_CLOSE_CHANNEL},
                                            .child_relid = echo.child_relid};
        vmbus_post(&conn, &close, sizeof(close));
    }
    vmbus_gpadl_teardown(&conn, echo.child_relid, handle);
    return status;
}

int main(void)
{
    if (!root_commands_enable()) {
        dbg_puts("aliasring: no root command SINT");
        return 2;
    }
    conn.wait_ticks = WAIT_TICKS;
    int rc = vmbus_connect_to_echo(&conn, &echo);
    dbg_printf("aliasring: connect: status 0x%x, echo relid %u\n", (unsigned)rc, echo.child_relid);
    if (rc)
        return 2;
    uint8_t *abc = page_alloc_contiguous(3);
    uint8_t *rings = page_alloc_contiguous(2 + 2 * RING_BYTES / HV_PAGE_SIZE);
    if (!abc || !rings)
        return 2;
    uint8_t *a = abc, *b = abc + HV_PAGE_SIZE, *c = abc + 2 * HV_PAGE_SIZE;
    uint64_t same[4] = {pfn(a), pfn(b), pfn(a), pfn(b)};
    uint64_t overlap[4] = {pfn(a), pfn(b), pfn(c), pfn(b)};

    struct report r = {0};
    uint32_t command;
    while (!root_command_poll(&command)) {
        r.same_pages_status = open_aliased(same, 4, a, b, &r.accepted);
        r.overlap_status = open_aliased(overlap, 4, a, b, &r.accepted);
        static struct vmbus_channel ch;
        rc = vmbus_channel_open_on(&conn, &echo, &ch, rings, RING_BYTES, RING_BYTES);
        bool echoed = rc == 0 && vmbus_echo_check(&ch, 0x1000000ull + r.rounds, ECHO_BYTES) == 0;
        if (rc == 0)
            vmbus_channel_close(&ch);
        r.echoes_ok += echoed;
        if (r.rounds++ % 50 == 0)
            dbg_printf("aliasring: round %u: same pages open 0x%x, overlapping rings open 0x%x, "
                       "%u accepted, echo %s\n",
                       r.rounds, r.same_pages_status, r.overlap_status, r.accepted,
                       echoed ? "ok" : "broken");
    }
    dbg_printf("aliasring: stopped after %u rounds: %u aliased opens accepted, %u echoes ok\n",
               r.rounds, r.accepted, r.echoes_ok);
    root_reply(&r, sizeof(r));
    vmbus_disconnect(&conn);
    return r.accepted == 0 && r.echoes_ok == r.rounds ? 0 : 1;
}
