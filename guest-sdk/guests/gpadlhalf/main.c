/* gpadlhalf - holds a half-built GPADL across a host shutdown. Connects, posts the GPADL_HEADER of a
 * 34-page ring GPADL (26 of its PFNs), prints "gpadlhalf: header posted" and halts until the root's
 * first command. Then it posts the GPADL_BODY with the other 8 PFNs, waits for GPADL_CREATED, opens
 * the echo channel on that GPADL, checks one echo and replies {u32 created_status, u32 open_status,
 * u32 echo_ok} (0, 0, 1 when the host kept the half-built GPADL through a save and restore). */
#include <parvis/parvis.h>
#include <parvis/rootcmd.h>
#include <parvis/vmbus.h>

#define RING_BYTES (64u * 1024u)
#define PAGES (2u + 2u * RING_BYTES / 4096u)
#define SEND_PAGES (1u + RING_BYTES / 4096u)

static struct vmbus_connection conn;
static struct vmbus_offer echo;
static struct vmbus_channel ch;

static uint64_t pfn(const uint8_t *base, uint32_t i) { return ((uintptr_t)base >> 12) + i; }

static int post_header(const uint8_t *base, uint32_t handle)
{
    union {
        struct {
            struct vmbus_gpadl_header fixed;
            struct vmbus_gpa_range range;
            uint64_t pfn[VMBUS_MAX_GPADL_HEADER_PFNS];
        } __attribute__((packed)) h;
        uint8_t bytes[HV_MESSAGE_MAX_PAYLOAD];
    } m;
    m.h.fixed = (struct vmbus_gpadl_header){.header = {.message_type = VMBUS_MSG_GPADL_HEADER},
                                            .child_relid = echo.child_relid,
                                            .gpadl = handle,
                                            .range_buflen = (uint16_t)(8 + 8 * PAGES),
                                            .range_count = 1};
    m.h.range = (struct vmbus_gpa_range){.byte_count = PAGES * 4096, .byte_offset = 0};
    for (uint32_t i = 0; i < VMBUS_MAX_GPADL_HEADER_PFNS; i++)
        m.h.pfn[i] = pfn(base, i);
    return vmbus_post(&conn, m.bytes, sizeof(m.h));
}

static int post_body(const uint8_t *base, uint32_t handle)
{
    struct {
        struct vmbus_gpadl_body fixed;
        uint64_t pfn[PAGES - VMBUS_MAX_GPADL_HEADER_PFNS];
    } b = {.fixed = {.header = {.message_type = VMBUS_MSG_GPADL_BODY}, .msg_number = 1, .gpadl = handle}};
    for (uint32_t i = VMBUS_MAX_GPADL_HEADER_PFNS; i < PAGES; i++)
        b.pfn[i - VMBUS_MAX_GPADL_HEADER_PFNS] = pfn(base, i);
    return vmbus_post(&conn, &b, sizeof(b));
}

int main(void)
{
    uint8_t *base = page_alloc_contiguous(PAGES);
    if (!root_commands_enable() || !base || vmbus_connect_to_echo(&conn, &echo))
        return 2;
    uint32_t handle = conn.next_gpadl++;
    if (post_header(base, handle))
        return 2;
    dbg_puts("gpadlhalf: header posted");
    root_command_wait();
    struct {
        uint32_t created, opened, echo_ok;
    } r = {0xFFFFFFFFu, 0xFFFFFFFFu, 0};
    struct vmbus_control_message m;
    if (post_body(base, handle) == 0 &&
        vmbus_wait_control(&conn, VMBUS_MSG_GPADL_CREATED,
                           __builtin_offsetof(struct vmbus_gpadl_created, gpadl), handle, &m) == 0)
        r.created = m.msg.gpadl_created.creation_status;
    if (r.created == 0) {
        struct vmbus_open_channel open = {.header = {.message_type = VMBUS_MSG_OPEN_CHANNEL},
                                          .child_relid = echo.child_relid,
                                          .open_id = echo.child_relid,
                                          .ring_buffer_gpadl_handle = handle,
                                          .downstream_ring_buffer_page_offset = SEND_PAGES};
        ch = (struct vmbus_channel){.conn = &conn, .relid = echo.child_relid, .connection_id = echo.connection_id,
                                    .gpadl = handle,
                                    .send = {(volatile struct vmbus_ring_control *)base, base + 4096, RING_BYTES, 0},
                                    .recv = {(volatile struct vmbus_ring_control *)(base + SEND_PAGES * 4096),
                                             base + (SEND_PAGES + 1) * 4096, RING_BYTES, 0}};
        ch.send.control->feature_bits = VMBUS_RING_FEATURE_PENDING_SEND_SIZE;
        ch.recv.control->feature_bits = VMBUS_RING_FEATURE_PENDING_SEND_SIZE;
        if (vmbus_post(&conn, &open, sizeof(open)) == 0 &&
            vmbus_wait_control(&conn, VMBUS_MSG_OPEN_CHANNEL_RESULT,
                               __builtin_offsetof(struct vmbus_open_channel_result, child_relid),
                               echo.child_relid, &m) == 0)
            r.opened = m.msg.open_result.status;
        ch.open = r.opened == 0;
        r.echo_ok = ch.open && vmbus_echo_check(&ch, 77, 64) == 0;
    }
    dbg_printf("gpadlhalf: created 0x%x, open 0x%x, echo %s\n", r.created, r.opened, r.echo_ok ? "ok" : "broken");
    root_reply(&r, sizeof(r));
    root_command_wait();
    return r.echo_ok ? 0 : 1;
}
