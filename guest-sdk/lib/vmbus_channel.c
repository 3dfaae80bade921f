/* vmbus_channel.c - GPADLs and channel open/close over the VMBus control
 * protocol (vmbus.c): a channel's two rings live in one GPADL, the send ring
 * first, each behind its control page.
 * Reference: hyperv-abi-vmbus.md §6; Parvis contract: docs/vmbus.md. */
#include <parvis/hv.h>
#include <parvis/mem.h>
#include <parvis/synic.h>
#include <parvis/vmbus.h>

#define PAGE ((uint32_t)HV_PAGE_SIZE)

typedef uint64_t __attribute__((may_alias, aligned(1))) u64_unaligned;

_Static_assert(sizeof(struct vmbus_open_channel) == 148, "OPENCHANNEL is 148 bytes");
_Static_assert(sizeof(struct vmbus_gpadl_header) == 20, "GPADL_HEADER fixed part is 20 bytes");
_Static_assert(sizeof(struct vmbus_gpadl_body) == 16, "GPADL_BODY fixed part is 16 bytes");
_Static_assert(sizeof(struct vmbus_gpa_range) == 8, "gpa_range is 8 bytes");
_Static_assert(26 == (HV_MESSAGE_MAX_PAYLOAD - 20 - 8) / 8 && VMBUS_MAX_GPADL_HEADER_PFNS == 26,
               "26 PFNs fit GPADL_HEADER");

/* GPADL_HEADER: fixed part, one gpa_range {byte_count = all bytes, offset 0},
 * then the first PFNs. The PFN array starts at byte 28, so it is unaligned. */
static int post_gpadl_header(struct vmbus_connection *c, uint32_t relid, uint32_t handle,
                             uint64_t first_pfn, uint32_t pfns, uint32_t bytes)
{
    union {
        struct {
            struct vmbus_gpadl_header fixed;
            struct vmbus_gpa_range range;
        } __attribute__((packed)) h;
        uint8_t bytes[HV_MESSAGE_MAX_PAYLOAD];
    } buf;
    buf.h.fixed = (struct vmbus_gpadl_header){
        .header = {.message_type = VMBUS_MSG_GPADL_HEADER},
        .child_relid = relid,
        .gpadl = handle,
        .range_buflen = (uint16_t)(sizeof(struct vmbus_gpa_range) + 8 * pfns),
        .range_count = 1,
    };
    buf.h.range = (struct vmbus_gpa_range){.byte_count = bytes, .byte_offset = 0};
    u64_unaligned *pfn = (u64_unaligned *)(buf.bytes + sizeof(buf.h));
    uint32_t n = pfns < VMBUS_MAX_GPADL_HEADER_PFNS ? pfns : VMBUS_MAX_GPADL_HEADER_PFNS;
    for (uint32_t i = 0; i < n; i++)
        pfn[i] = first_pfn + i;
    return vmbus_post(c, buf.bytes, (uint32_t)(sizeof(buf.h) + 8 * n));
}

/* GPADL_BODYs continue the PFN array, up to 28 PFNs each (byte 16: aligned). */
static int post_gpadl_bodies(struct vmbus_connection *c, uint32_t handle, uint64_t first_pfn,
                             uint32_t pfns)
{
    struct {
        struct vmbus_gpadl_body fixed;
        uint64_t pfn[VMBUS_MAX_GPADL_BODY_PFNS];
    } b;
    _Static_assert(sizeof(b) <= HV_MESSAGE_MAX_PAYLOAD, "GPADL_BODY fits a message");
    uint32_t done = pfns < VMBUS_MAX_GPADL_HEADER_PFNS ? pfns : VMBUS_MAX_GPADL_HEADER_PFNS;
    for (uint32_t msg = 1; done < pfns; msg++) {
        uint32_t n = pfns - done;
        if (n > VMBUS_MAX_GPADL_BODY_PFNS)
            n = VMBUS_MAX_GPADL_BODY_PFNS;
        b.fixed = (struct vmbus_gpadl_body){
            .header = {.message_type = VMBUS_MSG_GPADL_BODY},
            .msg_number = msg,
            .gpadl = handle,
        };
        for (uint32_t i = 0; i < n; i++)
            b.pfn[i] = first_pfn + done + i;
        int rc = vmbus_post(c, &b, (uint32_t)(sizeof(b.fixed) + 8 * n));
        if (rc)
            return rc;
        done += n;
    }
    return 0;
}

int vmbus_gpadl_create(struct vmbus_connection *c, uint32_t relid, void *buf, uint32_t bytes,
                       uint32_t *handle)
{
    uint32_t pfns = bytes / PAGE;
    /* range_buflen is a u16: 8 + 8 * pfns must fit. */
    if (((uintptr_t)buf & (PAGE - 1)) || bytes == 0 || (bytes & (PAGE - 1)) ||
        8u + 8u * pfns > 0xffffu)
        return VMBUS_ERR_INVALID;
    *handle = c->next_gpadl++;
    uint64_t first_pfn = (uintptr_t)buf >> 12; /* linear == physical */
    int rc = post_gpadl_header(c, relid, *handle, first_pfn, pfns, bytes);
    if (rc == 0)
        rc = post_gpadl_bodies(c, *handle, first_pfn, pfns);
    if (rc)
        return rc;
    struct vmbus_control_message m;
    rc = vmbus_wait_control(c, VMBUS_MSG_GPADL_CREATED,
                            __builtin_offsetof(struct vmbus_gpadl_created, gpadl), *handle, &m);
    if (rc)
        return rc;
    if (m.length < sizeof(struct vmbus_gpadl_created))
        return (int)VMBUS_STATUS_UNSUCCESSFUL;
    return (int)m.msg.gpadl_created.creation_status;
}

int vmbus_gpadl_teardown(struct vmbus_connection *c, uint32_t relid, uint32_t handle)
{
    struct vmbus_gpadl_teardown msg = {
        .header = {.message_type = VMBUS_MSG_GPADL_TEARDOWN},
        .child_relid = relid,
        .gpadl = handle,
    };
    int rc = vmbus_post(c, &msg, sizeof(msg));
    if (rc)
        return rc;
    struct vmbus_control_message m;
    return vmbus_wait_control(c, VMBUS_MSG_GPADL_TORNDOWN,
                              __builtin_offsetof(struct vmbus_gpadl_torndown, gpadl), handle, &m);
}

/* ---- channels ------------------------------------------------------------ */

static void ring_init(struct vmbus_ring *r, uint8_t *base, uint32_t data_bytes)
{
    /* page_alloc zeroed the control page: indices 0, interrupt_mask 0, no
     * pending send. We honour pending_send_size, so say so. */
    r->control = (volatile struct vmbus_ring_control *)base;
    r->control->feature_bits = VMBUS_RING_FEATURE_PENDING_SEND_SIZE;
    r->data = base + VMBUS_RING_CONTROL_SIZE;
    r->size = data_bytes;
    r->index = 0;
}

int vmbus_channel_open(struct vmbus_connection *c, const struct vmbus_offer *o,
                       struct vmbus_channel *ch, uint32_t send_ring_bytes,
                       uint32_t recv_ring_bytes)
{
    if (!send_ring_bytes || !recv_ring_bytes || (send_ring_bytes | recv_ring_bytes) & (PAGE - 1))
        return VMBUS_ERR_INVALID;
    uint8_t *base = page_alloc_contiguous(2 + (send_ring_bytes + recv_ring_bytes) / PAGE);
    if (!base)
        return VMBUS_ERR_NO_MEMORY;
    return vmbus_channel_open_on(c, o, ch, base, send_ring_bytes, recv_ring_bytes);
}

int vmbus_channel_open_on(struct vmbus_connection *c, const struct vmbus_offer *o,
                          struct vmbus_channel *ch, void *pages, uint32_t send_ring_bytes,
                          uint32_t recv_ring_bytes)
{
    if (!send_ring_bytes || !recv_ring_bytes || (send_ring_bytes | recv_ring_bytes) & (PAGE - 1) ||
        ((uintptr_t)pages & (PAGE - 1)))
        return VMBUS_ERR_INVALID;
    uint32_t send_pages = 1 + send_ring_bytes / PAGE; /* control page included */
    uint32_t total_pages = send_pages + 1 + recv_ring_bytes / PAGE;
    uint8_t *base = pages;
    memset(base, 0, VMBUS_RING_CONTROL_SIZE);
    memset(base + (uint64_t)send_pages * PAGE, 0, VMBUS_RING_CONTROL_SIZE);

    memset(ch, 0, sizeof(*ch));
    ch->conn = c;
    ch->relid = o->child_relid;
    ch->connection_id = o->connection_id;
    ring_init(&ch->send, base, send_ring_bytes);
    ring_init(&ch->recv, base + (uint64_t)send_pages * PAGE, recv_ring_bytes);

    int rc = vmbus_gpadl_create(c, ch->relid, base, total_pages * PAGE, &ch->gpadl);
    if (rc)
        return rc;
    struct vmbus_open_channel open = {
        .header = {.message_type = VMBUS_MSG_OPEN_CHANNEL},
        .child_relid = ch->relid,
        .open_id = ch->relid,
        .ring_buffer_gpadl_handle = ch->gpadl,
        .target_vp = 0,
        .downstream_ring_buffer_page_offset = send_pages,
    };
    synic_test_and_clear_event(VMBUS_MESSAGE_SINT, ch->relid); /* stale signal of a past open */
    rc = vmbus_post(c, &open, sizeof(open));
    if (rc)
        return rc;
    struct vmbus_control_message m;
    rc = vmbus_wait_control(c, VMBUS_MSG_OPEN_CHANNEL_RESULT,
                            __builtin_offsetof(struct vmbus_open_channel_result, child_relid),
                            ch->relid, &m);
    if (rc)
        return rc;
    if (m.length < sizeof(struct vmbus_open_channel_result))
        return (int)VMBUS_STATUS_UNSUCCESSFUL;
    rc = (int)m.msg.open_result.status;
    ch->open = rc == 0;
    return rc;
}

int vmbus_channel_close(struct vmbus_channel *ch)
{
    struct vmbus_close_channel msg = {
        .header = {.message_type = VMBUS_MSG_CLOSE_CHANNEL},
        .child_relid = ch->relid,
    };
    ch->open = false;
    int rc = vmbus_post(ch->conn, &msg, sizeof(msg)); /* no reply by protocol */
    if (rc)
        return rc;
    return vmbus_gpadl_teardown(ch->conn, ch->relid, ch->gpadl);
}
