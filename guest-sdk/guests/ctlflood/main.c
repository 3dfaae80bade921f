/* ctlflood - floods the root's VMBus control path, for the root's isolation
 * tests. Opens the echo channel and checks one echo; then, in rounds, posts
 * FLOOD control messages as fast as HvCallPostMessage allows and never reads
 * its own SINT 2 queue: OPENCHANNEL of a relid nobody offered and GPADL_HEADERs
 * of bogus handles (the host answers each with a failure), repeated
 * REQUEST_OFFERS and runts shorter than a message header. After each round,
 * one echo with a short bound.
 *
 * Runs until the root sends any command (boot->root_message_sint), then
 * replies {u32 rounds, u32 posted, u32 insufficient_buffers, u32 echo_before,
 * u32 echo_after} (echo_after: the last round's check) and returns 0. A host
 * that bounds per-child queues fails this guest's connection with a reason;
 * the guest only counts. */
#include <parvis/parvis.h>
#include <parvis/rootcmd.h>
#include <parvis/vmbus.h>

#define TICKS_PER_MS 10000ull
#define WAIT_TICKS (2000 * TICKS_PER_MS)
#define SHORT_TICKS (300 * TICKS_PER_MS)
#define RING_BYTES 4096u
#define FLOOD 2000u
#define UNKNOWN_RELID 1999u

struct report {
    uint32_t rounds;
    uint32_t posted;
    uint32_t insufficient_buffers;
    uint32_t echo_before;
    uint32_t echo_after;
};

static struct vmbus_connection conn;
static struct vmbus_offer echo;
static struct vmbus_channel ch;

/* One raw post: no retries, the status is what we count. */
static uint16_t post_raw(const void *payload, uint32_t len)
{
    struct hv_input_post_message *in = hv_input_page();
    in->connection_id = conn.msg_conn_id;
    in->reserved = 0;
    in->message_type = VMBUS_HV_MESSAGE_TYPE;
    in->payload_size = len;
    memcpy(in->payload, payload, len);
    return hv_status(hv_hypercall(HVCALL_POST_MESSAGE, (uintptr_t)in, 0));
}

static uint16_t post_one(uint32_t i)
{
    switch (i % 4) {
    case 0: {
        struct vmbus_open_channel open = {.header = {.message_type = VMBUS_MSG_OPEN_CHANNEL},
                                          .child_relid = UNKNOWN_RELID,
                                          .open_id = i,
                                          .downstream_ring_buffer_page_offset = 2};
        return post_raw(&open, sizeof(open));
    }
    case 1: {
        struct vmbus_gpadl_header g = {.header = {.message_type = VMBUS_MSG_GPADL_HEADER},
                                       .child_relid = echo.child_relid,
                                       .gpadl = 0x0C7F0000u + i,
                                       .range_buflen = 0xfff8,
                                       .range_count = 1000};
        return post_raw(&g, sizeof(g));
    }
    case 2: {
        struct vmbus_request_offers ro = {.header = {.message_type = VMBUS_MSG_REQUEST_OFFERS}};
        return post_raw(&ro, sizeof(ro));
    }
    default: {
        uint32_t runt = VMBUS_MSG_REQUEST_OFFERS;
        return post_raw(&runt, 3);
    }
    }
}

static void flood_round(struct report *r)
{
    for (uint32_t i = 0; i < FLOOD; i++) {
        uint16_t status = post_one(i);
        if (status == HV_STATUS_SUCCESS)
            r->posted += r->posted != 0xFFFFFFFFu;
        else if (status == HV_STATUS_INSUFFICIENT_BUFFERS)
            r->insufficient_buffers += r->insufficient_buffers != 0xFFFFFFFFu;
    }
    r->echo_after = ch.open && vmbus_echo_check(&ch, 2 + r->rounds, 64) == 0;
    if (r->rounds++ % 20 == 0)
        dbg_printf("ctlflood: round %u: %u posted, %u insufficient buffers, echo %s\n", r->rounds,
                   r->posted, r->insufficient_buffers, r->echo_after ? "ok" : "broken");
}

int main(void)
{
    if (!root_commands_enable())
        return 2;
    conn.wait_ticks = WAIT_TICKS;
    int rc = vmbus_open_echo(&conn, &echo, &ch, RING_BYTES);
    struct report r = {.echo_before = rc == 0 && vmbus_echo_check(&ch, 1, 64) == 0};
    dbg_printf("ctlflood: echo channel: status 0x%x, echo %s; flooding\n", (unsigned)rc,
               r.echo_before ? "ok" : "broken");
    conn.wait_ticks = SHORT_TICKS;
    uint32_t command;
    while (!root_command_poll(&command))
        flood_round(&r);
    dbg_printf("ctlflood: stopped after %u rounds\n", r.rounds);
    root_reply(&r, sizeof(r));
    return 0;
}
