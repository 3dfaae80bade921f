/* message.c - HvCallPostMessage, HvCallSignalEvent, HvCallNotifyLongSpinWait. */
#include <parvis/cpu.h>
#include <parvis/hv.h>
#include <parvis/mem.h>

#define POST_MESSAGE_RETRIES 100u

uint16_t hv_notify_long_spin_wait(uint64_t spin_count)
{
    return hv_status(hv_hypercall_fast(HVCALL_NOTIFY_LONG_SPIN_WAIT, spin_count, 0));
}

/* Back-off between retries: a growing pause loop, then tell the hypervisor we
 * are spinning so it can run whoever must drain the queue. */
static void back_off(uint32_t attempt)
{
    uint32_t spins = 1u << (attempt < 10 ? attempt : 10);
    for (uint32_t i = 0; i < spins; i++)
        cpu_pause();
    hv_notify_long_spin_wait(attempt + 1);
}

uint16_t hv_post_message(uint32_t connection_id, uint32_t message_type, const void *payload,
                         size_t len)
{
    if (len > HV_MESSAGE_MAX_PAYLOAD)
        return HV_STATUS_INVALID_PARAMETER;
    struct hv_input_post_message *in = hv_input_page();
    in->connection_id = connection_id;
    in->reserved = 0;
    in->message_type = message_type;
    in->payload_size = (uint32_t)len;
    memcpy(in->payload, payload, len);
    for (uint32_t attempt = 0;; attempt++) {
        uint16_t status = hv_status(hv_hypercall(HVCALL_POST_MESSAGE, (uintptr_t)in, 0));
        if (status != HV_STATUS_INSUFFICIENT_BUFFERS || attempt + 1 >= POST_MESSAGE_RETRIES)
            return status;
        back_off(attempt);
    }
}

uint16_t hv_signal_event(uint32_t connection_id, uint16_t flag)
{
    return hv_status(
        hv_hypercall_fast(HVCALL_SIGNAL_EVENT, (uint64_t)connection_id | ((uint64_t)flag << 32), 0));
}
