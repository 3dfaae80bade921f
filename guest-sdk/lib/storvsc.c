/* storvsc.c - synthetic SCSI client over a VMBus channel (hyperv-abi-vmbus.md §10).
 *
 * Every request is one packet: in-band when it carries no data, else
 * DATA_USING_GPA_DIRECT with one multi-page range over the caller's buffer
 * (guest linear = physical, so a PFN is the address >> 12). The host completes
 * each with a COMPLETION packet whose transaction id is the request's:
 * slot | generation << 32, so a stale or forged id never matches a live request. */
#include <parvis/cpu.h>
#include <parvis/mem.h>
#include <parvis/storvsc.h>

/* Linux's list, newest first (storvsc_drv.c protocol_version[]). */
static const uint16_t versions[] = {STORVSC_VERSION_WIN10, STORVSC_VERSION_WIN8_1,
                                    STORVSC_VERSION_WIN8};

#define CONTROL_TXID_BASE 0xC0DE000000000000ull
/* Completions are 64-byte vstor_packets; anything up to this is taken whole. */
#define RECV_CAP 4096u

static uint64_t control_txid;

int storvsc_find(struct vmbus_connection *c, struct vmbus_offer *offer)
{
    int rc = vmbus_connect(c);
    if (rc)
        return rc;
    static struct vmbus_offer offers[32];
    int count = vmbus_request_offers(c, offers, 32);
    if (count < 0)
        return count;
    struct vmbus_guid scsi = VMBUS_DEVICE_SCSI_GUID;
    const struct vmbus_offer *o = vmbus_find_offer(offers, count, &scsi);
    if (!o)
        return STORVSC_ERR_NO_DEVICE;
    *offer = *o;
    return 0;
}

/* One received packet, payload in an 8-aligned buffer. */
struct received {
    struct vmbus_packet_info info;
    union {
        struct vstor_packet vstor;
        uint64_t words[RECV_CAP / 8];
    } u;
};

int storvsc_control(struct storvsc *s, uint32_t operation, const void *body, uint32_t body_len,
                    struct vstor_packet *reply)
{
    struct vstor_packet p;
    memset(&p, 0, sizeof(p));
    p.operation = operation;
    p.flags = VSTOR_FLAG_REQUEST_COMPLETION;
    if (body_len > sizeof(p.body))
        return VMBUS_ERR_INVALID;
    if (body_len)
        memcpy(p.body, body, body_len);
    uint64_t txid = CONTROL_TXID_BASE | ++control_txid;
    int rc = vmbus_send(&s->ch, VMBUS_PACKET_TYPE_DATA_INBAND,
                        VMBUS_PACKET_FLAG_COMPLETION_REQUESTED, txid, &p, sizeof(p));
    if (rc)
        return rc;
    static struct received m;
    for (;;) {
        rc = vmbus_recv_wait(&s->ch, &m.info, m.u.words, RECV_CAP);
        if (rc)
            return rc;
        if (m.info.transaction_id == txid)
            break;
        s->unsolicited++; /* a rescan or a late packet: not ours to answer here */
    }
    memset(reply, 0, sizeof(*reply));
    uint32_t n = m.info.payload_bytes < sizeof(*reply) ? m.info.payload_bytes : sizeof(*reply);
    memcpy(reply, &m.u.vstor, n);
    if (n < 12 || reply->operation != VSTOR_OPERATION_COMPLETE_IO)
        return STORVSC_ERR_PROTOCOL;
    return (int)reply->status;
}

static int negotiate(struct storvsc *s)
{
    struct vstor_packet reply;
    int rc = storvsc_control(s, VSTOR_OPERATION_BEGIN_INITIALIZATION, 0, 0, &reply);
    if (rc)
        return rc;
    rc = VMBUS_ERR_REFUSED;
    for (uint32_t i = 0; i < sizeof(versions) / sizeof(versions[0]) && rc; i++) {
        struct vstor_protocol_version v = {versions[i], 0};
        rc = storvsc_control(s, VSTOR_OPERATION_QUERY_PROTOCOL_VERSION, &v, sizeof(v), &reply);
        if (rc == 0)
            s->version = versions[i];
        else if (rc < 0 && rc >= VMBUS_ERR_BASE)
            return rc; /* the channel failed, not the version */
    }
    if (rc)
        return VMBUS_ERR_REFUSED;
    rc = storvsc_control(s, VSTOR_OPERATION_QUERY_PROPERTIES, 0, 0, &reply);
    if (rc)
        return rc;
    s->properties = reply.properties;
    uint32_t host_max = s->properties.max_transfer_bytes;
    s->max_transfer = host_max && host_max < STORVSC_MAX_TRANSFER ? host_max : STORVSC_MAX_TRANSFER;
    return storvsc_control(s, VSTOR_OPERATION_END_INITIALIZATION, 0, 0, &reply);
}

int storvsc_open(struct vmbus_connection *c, const struct vmbus_offer *offer, struct storvsc *s,
                 uint32_t ring_bytes)
{
    memset(s, 0, sizeof(*s));
    int rc = vmbus_channel_open(c, offer, &s->ch, ring_bytes, ring_bytes);
    if (rc)
        return rc;
    return negotiate(s);
}

int storvsc_close(struct storvsc *s)
{
    return vmbus_channel_close(&s->ch);
}

/* ---- requests ----------------------------------------------------------------- */

uint32_t storvsc_build(const struct storvsc *s, const struct storvsc_request *r,
                       struct vstor_packet *p, struct storvsc_gpa_direct *g)
{
    (void)s;
    memset(p, 0, sizeof(*p));
    p->operation = VSTOR_OPERATION_EXECUTE_SRB;
    p->flags = VSTOR_FLAG_REQUEST_COMPLETION;
    struct vmscsi_request *srb = &p->srb;
    srb->length = sizeof(*srb);
    srb->target_id = r->target;
    srb->lun = r->lun;
    srb->cdb_length = r->cdb_length;
    srb->sense_info_length = VSTOR_SENSE_BYTES;
    srb->data_in = r->direction;
    srb->data_transfer_length = r->len;
    memcpy(srb->cdb, r->cdb, r->cdb_length <= VSTOR_CDB_MAX ? r->cdb_length : VSTOR_CDB_MAX);
    srb->win8.srb_flags = SRB_FLAGS_DISABLE_SYNCH_TRANSFER |
                          (r->direction == VSTOR_DATA_IN    ? SRB_FLAGS_DATA_IN
                           : r->direction == VSTOR_DATA_OUT ? SRB_FLAGS_DATA_OUT
                                                            : 0);
    srb->win8.time_out_value = 60;
    if (r->len == 0)
        return 0;
    uint64_t addr = (uint64_t)(uintptr_t)r->buf;
    uint32_t offset = (uint32_t)(addr & (HV_PAGE_SIZE - 1));
    uint32_t pages = (offset + r->len + HV_PAGE_SIZE - 1) / HV_PAGE_SIZE;
    g->head.reserved = 0;
    g->head.range_count = 1;
    g->range.byte_count = r->len;
    g->range.byte_offset = offset;
    for (uint32_t i = 0; i < pages && i < STORVSC_MAX_PFNS; i++)
        g->pfn[i] = (addr >> 12) + i;
    return (uint32_t)__builtin_offsetof(struct storvsc_gpa_direct, pfn) + pages * 8u;
}

static int free_slot(const struct storvsc *s)
{
    for (uint32_t i = 0; i < STORVSC_SLOTS; i++)
        if (!s->slot[i])
            return (int)i;
    return -1;
}

int storvsc_submit(struct storvsc *s, struct storvsc_request *r)
{
    if (r->len > s->max_transfer)
        return STORVSC_ERR_TOO_LONG;
    static struct vstor_packet p;
    static struct storvsc_gpa_direct g;
    uint32_t header = storvsc_build(s, r, &p, &g);
    return storvsc_submit_packet(s, r,
                                 header ? VMBUS_PACKET_TYPE_DATA_USING_GPA_DIRECT
                                        : VMBUS_PACKET_TYPE_DATA_INBAND,
                                 &g, header, &p, sizeof(p));
}

int storvsc_submit_packet(struct storvsc *s, struct storvsc_request *r, uint16_t type,
                          const void *header, uint32_t header_len, const void *packet,
                          uint32_t packet_len)
{
    int i = free_slot(s);
    if (i < 0)
        return STORVSC_ERR_BUSY;
    r->done = false;
    r->txid = (uint64_t)(uint32_t)i | (uint64_t)++s->generation[i] << 32;
    s->slot[i] = r;
    s->outstanding++;
    int rc = vmbus_send_with_header(&s->ch, type, VMBUS_PACKET_FLAG_COMPLETION_REQUESTED, r->txid,
                                    header, header_len, packet, packet_len);
    if (rc) {
        s->slot[i] = 0;
        s->outstanding--;
    }
    return rc;
}

/* A completion: find its request by transaction id, copy the results out. */
static bool complete(struct storvsc *s, const struct received *m)
{
    uint64_t txid = m->info.transaction_id;
    uint32_t i = (uint32_t)txid;
    struct storvsc_request *r = i < STORVSC_SLOTS ? s->slot[i] : 0;
    if (!r || r->txid != txid) {
        s->unmatched_completions++;
        return false;
    }
    if (m->info.payload_bytes < 12) {
        s->malformed++;
        r->status = VSTOR_STATUS_UNSUCCESSFUL;
    } else {
        const struct vstor_packet *p = &m->u.vstor;
        r->status = p->status;
        /* A short reply leaves the SRB fields it does not hold at zero
         * (the receive buffer is larger than any packet we copy from). */
        r->srb_status = p->srb.srb_status;
        r->scsi_status = p->srb.scsi_status;
        r->transferred = p->srb.data_transfer_length;
        memcpy(r->sense, p->srb.sense_data, VSTOR_SENSE_BYTES);
    }
    s->slot[i] = 0;
    s->outstanding--;
    r->done = true;
    return true;
}

static int handle(struct storvsc *s, struct received *m)
{
    /* Zero what the packet did not fill, so a short completion reads as zeros. */
    if (m->info.payload_bytes < sizeof(struct vstor_packet))
        memset((uint8_t *)&m->u.vstor + m->info.payload_bytes, 0,
               sizeof(struct vstor_packet) - m->info.payload_bytes);
    if (m->info.type == VMBUS_PACKET_TYPE_COMPLETION)
        return complete(s, m) ? 1 : 0;
    s->unsolicited++; /* ENUMERATE_BUS / REMOVE_DEVICE: a bus rescan is the caller's business */
    return 0;
}

int storvsc_poll(struct storvsc *s)
{
    static struct received m;
    int done = 0;
    for (;;) {
        int rc = vmbus_recv(&s->ch, &m.info, m.u.words, RECV_CAP);
        if (rc == VMBUS_ERR_EMPTY)
            return done;
        if (rc)
            return rc;
        done += handle(s, &m);
    }
}

int storvsc_wait(struct storvsc *s)
{
    static struct received m;
    for (;;) {
        int done = storvsc_poll(s);
        if (done)
            return done;
        int rc = vmbus_recv_wait(&s->ch, &m.info, m.u.words, RECV_CAP);
        if (rc)
            return rc;
        done = handle(s, &m);
        int more = storvsc_poll(s);
        if (more < 0)
            return more;
        if (done + more)
            return done + more;
    }
}

int storvsc_wait_for(struct storvsc *s, struct storvsc_request *r)
{
    while (!r->done) {
        int n = storvsc_wait(s);
        if (n < 0)
            return n;
    }
    return 0;
}

int storvsc_execute(struct storvsc *s, struct storvsc_request *r)
{
    int rc = storvsc_submit(s, r);
    return rc ? rc : storvsc_wait_for(s, r);
}
