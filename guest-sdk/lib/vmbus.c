/* vmbus.c - VMBus control protocol over SynIC SINT 2 in polling mode:
 * version negotiation, offers, unload; GPADLs and channels are in
 * vmbus_channel.c. Reference: hyperv-abi-vmbus.md §6; Parvis contract: docs/vmbus.md. */
#include <parvis/cpu.h>
#include <parvis/hv.h>
#include <parvis/mem.h>
#include <parvis/synic.h>
#include <parvis/vmbus.h>
#include "vmbus_internal.h"

#define PAGE ((uint32_t)HV_PAGE_SIZE)
#define HEADER_BYTES ((uint32_t)sizeof(struct vmbus_channel_message_header))
/* Linux's first GPADL handle; any unique non-zero value works. */
#define FIRST_GPADL_HANDLE 0xE1E10u
/* Bounded waits without a readable reference time: one spin ~ one hypercall
 * round trip (a few µs), so this is a generous stand-in for 1 tick per spin. */
#define SPINS_PER_TICK_DIVISOR 10u

_Static_assert(sizeof(struct vmbus_offer_channel) == 196, "OFFERCHANNEL is 196 bytes");
_Static_assert(sizeof(struct vmbus_initiate_contact) == 40, "INITIATE_CONTACT is 40 bytes");

/* ---- time and waiting -------------------------------------------------- */

uint64_t vmbus_now(void)
{
    uint64_t t = 0;
    if (hv_get_vp_register(HV_REGISTER_TIME_REF_COUNT, &t) != HV_STATUS_SUCCESS)
        return 0;
    return t;
}

void vmbus_wait_start(struct vmbus_wait *w, uint64_t ticks)
{
    w->ticks = ticks;
    w->end = 0;
    w->spins_left = ticks / SPINS_PER_TICK_DIVISOR + 1;
    if (ticks) {
        uint64_t now = vmbus_now();
        w->end = now ? now + ticks : 0;
    }
}

bool vmbus_wait_idle(struct vmbus_wait *w)
{
    if (!w->ticks) {
        hv_halt(); /* returns when SynIC work is pending, or spuriously */
        return true;
    }
    /* A halted VP only wakes for SynIC work, so a bounded wait must not halt:
     * yield to the hypervisor instead and look at the clock. */
    hv_notify_long_spin_wait(1);
    if (w->end)
        return vmbus_now() < w->end;
    return --w->spins_left != 0;
}

/* ---- control messages ----------------------------------------------------- */

int vmbus_post(struct vmbus_connection *c, const void *msg, uint32_t len)
{
    uint16_t status = hv_post_message(c->msg_conn_id, VMBUS_HV_MESSAGE_TYPE, msg, len);
    return status == HV_STATUS_SUCCESS ? 0 : (VMBUS_ERR_HYPERCALL | status);
}

static uint32_t message_type(const struct vmbus_control_message *m)
{
    return m->msg.header.message_type;
}

static uint32_t message_u32(const struct vmbus_control_message *m, uint32_t offset)
{
    uint32_t v;
    memcpy(&v, m->msg.bytes + offset, sizeof(v));
    return v;
}

/* Takes one VMBus message from SINT 2's slot (the SDK frees the slot and
 * sends EOM). Non-VMBus or runt messages are dropped here. */
static bool poll_control(struct vmbus_control_message *m)
{
    struct hv_message msg;
    while (synic_poll_message(VMBUS_MESSAGE_SINT, &msg)) {
        if (msg.message_type != VMBUS_HV_MESSAGE_TYPE || msg.payload_size < HEADER_BYTES)
            continue;
        m->length = msg.payload_size;
        memcpy(m->msg.bytes, msg.payload, msg.payload_size);
        return true;
    }
    return false;
}

static void copy_message(struct vmbus_control_message *dst, const struct vmbus_control_message *src)
{
    dst->length = src->length;
    memcpy(dst->msg.bytes, src->msg.bytes, src->length);
}

/* Keeps a message nobody asked for yet; when full, the oldest goes. */
static void enqueue(struct vmbus_connection *c, const struct vmbus_control_message *m)
{
    if (c->queued == VMBUS_CONTROL_QUEUE_LEN) {
        c->dropped++;
        memmove(&c->queue[0], &c->queue[1], sizeof(c->queue[0]) * (VMBUS_CONTROL_QUEUE_LEN - 1));
        c->queued--;
    }
    copy_message(&c->queue[c->queued++], m);
}

struct match {
    uint32_t type, other_type; /* other_type 0 = only `type` */
    uint32_t key_offset;       /* 0 = no key */
    uint32_t key;
};

static bool matches(const struct match *want, const struct vmbus_control_message *m)
{
    uint32_t type = message_type(m);
    if (type != want->type && (want->other_type == 0 || type != want->other_type))
        return false;
    if (want->key_offset == 0)
        return true;
    return want->key_offset + 4 <= m->length && message_u32(m, want->key_offset) == want->key;
}

/* Oldest queued match first (offers keep their order), then the slot. */
static int wait_match(struct vmbus_connection *c, const struct match *want,
                      struct vmbus_control_message *out)
{
    for (uint32_t i = 0; i < c->queued; i++) {
        if (!matches(want, &c->queue[i]))
            continue;
        copy_message(out, &c->queue[i]);
        memmove(&c->queue[i], &c->queue[i + 1], sizeof(c->queue[0]) * (c->queued - i - 1));
        c->queued--;
        return 0;
    }
    struct vmbus_wait w;
    vmbus_wait_start(&w, c->wait_ticks);
    for (;;) {
        while (poll_control(out)) {
            if (matches(want, out))
                return 0;
            enqueue(c, out);
        }
        if (!vmbus_wait_idle(&w))
            return VMBUS_ERR_TIMEOUT;
    }
}

int vmbus_wait_control(struct vmbus_connection *c, uint32_t type, uint32_t key_offset,
                       uint32_t key, struct vmbus_control_message *out)
{
    struct match want = {.type = type, .key_offset = key_offset, .key = key};
    return wait_match(c, &want, out);
}

/* ---- connect ------------------------------------------------------------- */

/* Newest first; >= 5.0 goes to connection 4 with msg_sint, older to connection 1. */
static const uint32_t versions[] = {
    VMBUS_VERSION_WIN10_V5_3, VMBUS_VERSION_WIN10_V5_2, VMBUS_VERSION_WIN10_V5_1,
    VMBUS_VERSION_WIN10_V5,   VMBUS_VERSION_WIN10_V4_1, VMBUS_VERSION_WIN10,
};

/* One INITIATE_CONTACT / VERSION_RESPONSE exchange. Returns 0 if accepted,
 * VMBUS_ERR_REFUSED if not (try the next version), else an error. */
static int try_version(struct vmbus_connection *c, uint32_t version, void *monitor_pages)
{
    bool v5 = version >= VMBUS_VERSION_WIN10_V5;
    struct vmbus_initiate_contact ic = {
        .header = {.message_type = VMBUS_MSG_INITIATE_CONTACT},
        .vmbus_version_requested = version,
        .target_vcpu = 0,
        /* >= 5.0: low byte = msg_sint, next = msg_vtl (0). Older: the interrupt
         * page, unused since >= 2.4 signals with SINT 2 event flags. */
        .interrupt_page = v5 ? VMBUS_MESSAGE_SINT : (uintptr_t)monitor_pages + 2 * PAGE,
        .monitor_page1 = (uintptr_t)monitor_pages,
        .monitor_page2 = (uintptr_t)monitor_pages + PAGE,
    };
    uint32_t conn = v5 ? VMBUS_MESSAGE_CONNECTION_ID_4 : VMBUS_MESSAGE_CONNECTION_ID;
    uint16_t status = hv_post_message(conn, VMBUS_HV_MESSAGE_TYPE, &ic, sizeof(ic));
    if (status == HV_STATUS_INVALID_CONNECTION_ID)
        return VMBUS_ERR_REFUSED; /* a host without connection 4: try older versions */
    if (status != HV_STATUS_SUCCESS)
        return VMBUS_ERR_HYPERCALL | status;

    struct vmbus_control_message m;
    int rc = vmbus_wait_control(c, VMBUS_MSG_VERSION_RESPONSE, 0, 0, &m);
    if (rc)
        return rc;
    const struct vmbus_version_response *r = &m.msg.version_response;
    if (m.length < sizeof(*r) || !r->version_supported)
        return VMBUS_ERR_REFUSED;
    if (r->connection_state != 0)
        return VMBUS_ERR_REFUSED;
    c->version = version;
    c->msg_conn_id = VMBUS_MESSAGE_CONNECTION_ID;
    if (v5 && r->msg_conn_id != 0)
        c->msg_conn_id = r->msg_conn_id;
    return 0;
}

/* Monitor pages 1 and 2 and a legacy interrupt page: unused by Parvis (no
 * monitored channels), but the protocol wants valid zeroed pages. */
int vmbus_connect(struct vmbus_connection *c)
{
    uint16_t status = synic_enable(VMBUS_MESSAGE_SINT);
    if (status != HV_STATUS_SUCCESS)
        return VMBUS_ERR_HYPERCALL | status;
    void *pages = page_alloc_contiguous(3);
    if (!pages)
        return VMBUS_ERR_NO_MEMORY;
    c->version = 0;
    if (c->next_gpadl == 0)
        c->next_gpadl = FIRST_GPADL_HANDLE;
    for (uint32_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
        int rc = try_version(c, versions[i], pages);
        if (rc != VMBUS_ERR_REFUSED)
            return rc;
    }
    return VMBUS_ERR_REFUSED;
}

int vmbus_disconnect(struct vmbus_connection *c)
{
    struct vmbus_unload msg = {.header = {.message_type = VMBUS_MSG_UNLOAD}};
    int rc = vmbus_post(c, &msg, sizeof(msg));
    if (rc)
        return rc;
    struct vmbus_control_message m;
    rc = vmbus_wait_control(c, VMBUS_MSG_UNLOAD_RESPONSE, 0, 0, &m);
    if (rc == 0)
        c->version = 0;
    return rc;
}

/* ---- offers -------------------------------------------------------------- */

static void keep_offer(struct vmbus_offer *o, const struct vmbus_offer_channel *m)
{
    o->interface_type = m->interface_type;
    o->interface_instance = m->interface_instance;
    o->child_relid = m->child_relid;
    o->connection_id = m->connection_id;
    o->channel_flags = m->channel_flags;
    o->sub_channel_index = m->sub_channel_index;
    o->monitor_id = m->monitor_id;
    o->monitor_allocated = m->monitor_allocated;
    o->is_dedicated_interrupt = m->is_dedicated_interrupt;
}

int vmbus_request_offers(struct vmbus_connection *c, struct vmbus_offer *out, int max)
{
    struct vmbus_request_offers req = {.header = {.message_type = VMBUS_MSG_REQUEST_OFFERS}};
    int rc = vmbus_post(c, &req, sizeof(req));
    if (rc)
        return rc;
    struct match want = {.type = VMBUS_MSG_OFFER_CHANNEL,
                         .other_type = VMBUS_MSG_ALL_OFFERS_DELIVERED};
    int count = 0;
    for (;;) {
        struct vmbus_control_message m;
        rc = wait_match(c, &want, &m);
        if (rc)
            return rc;
        if (message_type(&m) == VMBUS_MSG_ALL_OFFERS_DELIVERED)
            return count;
        if (m.length >= sizeof(struct vmbus_offer_channel) && count < max)
            keep_offer(&out[count++], &m.msg.offer);
    }
}

bool vmbus_guid_equal(const struct vmbus_guid *a, const struct vmbus_guid *b)
{
    return memcmp(a, b, sizeof(*a)) == 0;
}

const struct vmbus_offer *vmbus_find_offer(const struct vmbus_offer *offers, int count,
                                           const struct vmbus_guid *interface_type)
{
    for (int i = 0; i < count; i++)
        if (offers[i].sub_channel_index == 0 &&
            vmbus_guid_equal(&offers[i].interface_type, interface_type))
            return &offers[i];
    return 0;
}

static char *hex(char *p, uint64_t v, int digits)
{
    static const char xd[] = "0123456789abcdef";
    for (int i = digits - 1; i >= 0; i--)
        *p++ = xd[(v >> (4 * i)) & 0xf];
    return p;
}

void vmbus_guid_format(const struct vmbus_guid *g, char buf[37])
{
    char *p = hex(buf, g->data1, 8);
    *p++ = '-';
    p = hex(p, g->data2, 4);
    *p++ = '-';
    p = hex(p, g->data3, 4);
    *p++ = '-';
    p = hex(p, ((uint64_t)g->data4[0] << 8) | g->data4[1], 4);
    *p++ = '-';
    for (int i = 2; i < 8; i++)
        p = hex(p, g->data4[i], 2);
    *p = '\0';
}

