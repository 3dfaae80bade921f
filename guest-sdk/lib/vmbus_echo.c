/* vmbus_echo.c - round trips through the root's echo test device. */
#include <parvis/mem.h>
#include <parvis/vmbus.h>

#define MAX_OFFERS 32
#define CHECK_WORDS (VMBUS_ECHO_CHECK_MAX / 8u)

int vmbus_connect_to_echo(struct vmbus_connection *c, struct vmbus_offer *echo)
{
    static struct vmbus_offer offers[MAX_OFFERS];
    int rc = vmbus_connect(c);
    if (rc)
        return rc;
    int count = vmbus_request_offers(c, offers, MAX_OFFERS);
    if (count < 0)
        return count;
    struct vmbus_guid echo_guid = VMBUS_DEVICE_ECHO_GUID;
    const struct vmbus_offer *found = vmbus_find_offer(offers, count, &echo_guid);
    if (!found)
        return VMBUS_ERR_INVALID;
    *echo = *found;
    return 0;
}

int vmbus_open_echo(struct vmbus_connection *c, struct vmbus_offer *echo, struct vmbus_channel *ch,
                    uint32_t ring_bytes)
{
    int rc = vmbus_connect_to_echo(c, echo);
    return rc ? rc : vmbus_channel_open(c, echo, ch, ring_bytes, ring_bytes);
}

static uint64_t pattern(uint64_t txid, uint32_t k) { return txid * 0x9e3779b97f4a7c15ull + k; }

int vmbus_echo_check(struct vmbus_channel *ch, uint64_t txid, uint32_t len)
{
    static uint64_t out[CHECK_WORDS], in[CHECK_WORDS];
    if (len < 8 || len > VMBUS_ECHO_CHECK_MAX || (len & 7u))
        return VMBUS_ERR_INVALID;
    for (uint32_t k = 0; k < len / 8; k++)
        out[k] = pattern(txid, k);
    int rc = vmbus_send(ch, VMBUS_PACKET_TYPE_DATA_INBAND, 0, txid, out, len);
    struct vmbus_packet_info info = {0};
    if (rc == 0)
        rc = vmbus_recv_wait(ch, &info, in, sizeof(in));
    if (rc)
        return rc;
    if (info.transaction_id != txid || info.payload_bytes != len)
        return VMBUS_ERR_INVALID;
    for (uint32_t k = 0; k < len / 8; k++)
        if (in[k] != pattern(txid, k))
            return VMBUS_ERR_INVALID;
    return 0;
}
