/* storvsc_stubs.c - the control-channel calls lib/storvsc.c and lib/disk.c make beyond the ring,
 * for the host-native storvsc wire test: it drives an already open channel, so these only fail. */
#include <stdarg.h>
#include <parvis/vmbus.h>

int vmbus_connect(struct vmbus_connection *c) { (void)c; return VMBUS_ERR_NOT_OPEN; }

int vmbus_request_offers(struct vmbus_connection *c, struct vmbus_offer *out, int max)
{
    (void)c, (void)out, (void)max;
    return VMBUS_ERR_NOT_OPEN;
}

const struct vmbus_offer *vmbus_find_offer(const struct vmbus_offer *offers, int count,
                                           const struct vmbus_guid *interface_type)
{
    (void)offers, (void)count, (void)interface_type;
    return 0;
}

int vmbus_channel_open(struct vmbus_connection *c, const struct vmbus_offer *o,
                       struct vmbus_channel *ch, uint32_t send_ring_bytes, uint32_t recv_ring_bytes)
{
    (void)c, (void)o, (void)ch, (void)send_ring_bytes, (void)recv_ring_bytes;
    return VMBUS_ERR_NOT_OPEN;
}

int vmbus_channel_close(struct vmbus_channel *ch) { (void)ch; return 0; }

uint16_t dbg_printf(const char *fmt, ...) { (void)fmt; return 0; }

int vmbus_disconnect(struct vmbus_connection *c) { (void)c; return 0; }

void *page_alloc_contiguous(uint32_t pages) { (void)pages; return 0; }

uint64_t vmbus_now(void) { return 0; }
