/* ic.c - IC framing on VMBus pipe channels: receive with length checks,
 * in-place answers, version negotiation (reference §9.1-9.3). */
#include <parvis/ic.h>
#include <parvis/mem.h>

const struct ic_version ic_framework_versions[2] = {{3, 0}, {1, 0}};

static const struct ic_version heartbeat_versions[] = {{3, 0}, {1, 0}};
static const struct ic_version shutdown_versions[] = {{3, 2}, {3, 1}, {3, 0}, {1, 0}};
static const struct ic_version timesync_versions[] = {{4, 0}, {3, 0}, {1, 0}};
static const struct ic_version kvp_versions[] = {{5, 0}, {4, 0}, {3, 0}};
static const struct ic_version fcopy_versions[] = {{1, 1}, {1, 0}};

#define VERSIONS(v) (v), (uint32_t)(sizeof(v) / sizeof((v)[0]))

const struct ic_service ic_services[IC_SERVICE_COUNT] = {
    {"heartbeat", IC_MSG_HEARTBEAT, VMBUS_DEVICE_HEARTBEAT_GUID, VERSIONS(heartbeat_versions)},
    {"shutdown", IC_MSG_SHUTDOWN, VMBUS_DEVICE_SHUTDOWN_GUID, VERSIONS(shutdown_versions)},
    {"timesync", IC_MSG_TIMESYNC, VMBUS_DEVICE_TIME_SYNC_GUID, VERSIONS(timesync_versions)},
    {"kvp", IC_MSG_KVP_EXCHANGE, VMBUS_DEVICE_KVP_GUID, VERSIONS(kvp_versions)},
    {"fcopy", IC_MSG_FCOPY, VMBUS_DEVICE_FILE_COPY_GUID, VERSIONS(fcopy_versions)},
};

/* Linux vmbus_prep_negotiate_resp rejects longer version lists. */
#define IC_MAX_VERSION_COUNT 100u

int ic_open(struct vmbus_connection *c, const struct vmbus_offer *o,
            const struct ic_service *service, struct ic_channel *ic)
{
    memset(ic, 0, sizeof(*ic));
    ic->service = service;
    int rc = vmbus_channel_open(c, o, &ic->ch, IC_RING_BYTES, IC_RING_BYTES);
    ic->open = rc == 0;
    return rc;
}

int ic_close(struct ic_channel *ic)
{
    if (!ic->open)
        return 0;
    ic->open = false;
    return vmbus_channel_close(&ic->ch);
}

int ic_recv(struct ic_channel *ic, struct ic_message *m)
{
    m->payload = m->storage + 4;
    int rc = vmbus_recv(&ic->ch, &m->info, m->payload, IC_BUFFER_BYTES);
    if (rc)
        return rc;
    m->pipe = (struct vmbus_pipe_header *)m->payload;
    m->hdr = (struct ic_message_header *)(m->payload + IC_HEADER_OFFSET);
    m->body = m->payload + IC_BODY_OFFSET;
    m->packet_len = 0;
    m->body_len = 0;
    uint32_t got = m->info.payload_bytes; /* <= IC_BUFFER_BYTES, checked by vmbus_recv */
    if (m->info.type != VMBUS_PACKET_TYPE_DATA_INBAND || got < IC_BODY_OFFSET ||
        got > IC_BUFFER_BYTES || m->pipe->type != IC_PIPE_PACKET_DATA ||
        m->pipe->length < sizeof(struct ic_message_header) ||
        m->pipe->length > got - IC_HEADER_OFFSET) {
        ic->malformed++;
        return IC_ERR_MALFORMED;
    }
    m->packet_len = IC_HEADER_OFFSET + m->pipe->length;
    m->body_len = m->packet_len - IC_BODY_OFFSET;
    ic->requests++;
    return 0;
}

void *ic_body(struct ic_message *m, uint32_t need)
{
    if (need > IC_BUFFER_BYTES - IC_BODY_OFFSET)
        return NULL;
    if (need > m->body_len) {
        memset(m->body + m->body_len, 0, need - m->body_len);
        m->body_len = need;
        m->packet_len = IC_BODY_OFFSET + need;
        m->pipe->length = m->packet_len - IC_HEADER_OFFSET;
        if (m->hdr->message_size < need)
            m->hdr->message_size = (uint16_t)need;
    }
    return m->body;
}

int ic_respond(struct ic_channel *ic, struct ic_message *m, uint32_t status)
{
    m->hdr->status = status;
    m->hdr->flags = IC_FLAG_TRANSACTION | IC_FLAG_RESPONSE;
    return vmbus_send(&ic->ch, VMBUS_PACKET_TYPE_DATA_INBAND, 0, m->info.transaction_id,
                      m->payload, m->packet_len);
}

/* First of ours (newest first) present in theirs[0..n). */
static bool pick(const struct ic_version *ours, uint32_t our_count,
                 const struct ic_version *theirs, uint32_t n, struct ic_version *out)
{
    for (uint32_t i = 0; i < our_count; i++)
        for (uint32_t j = 0; j < n; j++)
            if (theirs[j].major == ours[i].major && theirs[j].minor == ours[i].minor) {
                *out = ours[i];
                return true;
            }
    return false;
}

int ic_negotiate(struct ic_channel *ic, struct ic_message *m)
{
    const uint32_t neg_bytes = (uint32_t)sizeof(struct ic_negotiate);
    const uint32_t ver_bytes = (uint32_t)sizeof(struct ic_version);
    struct ic_version fw = {0, 0}, msg = {0, 0};
    bool found = false;
    if (m->body_len >= neg_bytes) {
        struct ic_negotiate *neg = (struct ic_negotiate *)m->body;
        uint32_t fw_count = neg->icframe_vercnt, msg_count = neg->icmsg_vercnt;
        const struct ic_version *list = (const struct ic_version *)(m->body + neg_bytes);
        if (fw_count <= IC_MAX_VERSION_COUNT && msg_count <= IC_MAX_VERSION_COUNT &&
            neg_bytes + (fw_count + msg_count) * ver_bytes <= m->body_len)
            found = pick(ic_framework_versions, 2, list, fw_count, &fw) &&
                    pick(ic->service->versions, ic->service->version_count, list + fw_count,
                         msg_count, &msg);
    }
    /* The answer: negotiate header + two versions (16 bytes, Linux's 0x10). */
    uint8_t *body = ic_body(m, neg_bytes + 2 * ver_bytes);
    struct ic_negotiate *neg = (struct ic_negotiate *)body;
    struct ic_version *list = (struct ic_version *)(body + neg_bytes);
    neg->icframe_vercnt = found ? 1 : 0;
    neg->icmsg_vercnt = found ? 1 : 0;
    list[0] = found ? fw : (struct ic_version){0, 0};
    list[1] = found ? msg : (struct ic_version){0, 0};
    m->hdr->message_size = (uint16_t)(neg_bytes + 2 * ver_bytes);
    ic->negotiated = found;
    ic->framework = fw;
    ic->version = msg;
    return ic_respond(ic, m, found ? (uint32_t)IC_S_OK : (uint32_t)IC_E_FAIL);
}

/* ---- UTF-16LE ------------------------------------------------------------- */

static uint16_t unit_at(const void *s, uint32_t i)
{
    const uint8_t *p = (const uint8_t *)s + 2 * i;
    return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t ic_utf16_len(const void *s, uint32_t max_units)
{
    uint32_t n = 0;
    while (n < max_units && unit_at(s, n))
        n++;
    return n;
}

uint32_t ic_utf16_from_ascii(void *dst, uint32_t cap, const char *a)
{
    uint32_t n = (uint32_t)strlen(a);
    if (2 * (n + 1) > cap)
        return 0;
    uint8_t *d = dst;
    for (uint32_t i = 0; i < n; i++) {
        d[2 * i] = (uint8_t)a[i];
        d[2 * i + 1] = 0;
    }
    d[2 * n] = 0;
    d[2 * n + 1] = 0;
    return 2 * (n + 1);
}

void ic_utf16_to_ascii(char *dst, uint32_t cap, const void *s, uint32_t max_units)
{
    if (cap == 0)
        return;
    uint32_t n = ic_utf16_len(s, max_units);
    if (n > cap - 1)
        n = cap - 1;
    for (uint32_t i = 0; i < n; i++) {
        uint16_t u = unit_at(s, i);
        dst[i] = u >= 0x20 && u < 0x7f ? (char)u : '?';
    }
    dst[n] = 0;
}
