/* synic.c - SynIC in polling mode: SIMP/SIEFP pages, SINT programming,
 * message slot consumption with the EOM protocol, event flags. */
#include <parvis/cpu.h>
#include <parvis/hv.h>
#include <parvis/mem.h>
#include <parvis/synic.h>

#define MESSAGE_HEADER_BYTES 16u /* message_type .. sender */

_Static_assert(PARVIS_SDK_SINT_VECTOR >= HV_SYNIC_FIRST_VALID_VECTOR && PARVIS_SDK_SINT_VECTOR <= 0xff,
               "SINT vector out of range");

static void *simp_page;  /* allocated once, kept across failed enables */
static void *siefp_page;
static volatile struct hv_message *simp;  /* set once the SIMP register took it */
static volatile uint8_t *siefp;

volatile struct hv_message *synic_message_page(void) { return simp; }
volatile uint8_t *synic_event_page(void) { return siefp; }

uint16_t synic_enable(uint32_t sint)
{
    if (sint >= HV_SYNIC_SINT_COUNT)
        return HV_STATUS_INVALID_PARAMETER;
    if (!simp_page)
        simp_page = page_alloc();
    if (!siefp_page)
        siefp_page = page_alloc();
    if (!simp_page || !siefp_page)
        return HV_STATUS_INSUFFICIENT_BUFFERS; /* out of guest pages */

    uint16_t status;
    if (!simp) {
        status = hv_set_vp_register(HV_REGISTER_SIMP,
                                    (uintptr_t)simp_page | (uint64_t)HV_SYNIC_SIMP_ENABLE);
        if (status != HV_STATUS_SUCCESS)
            return status;
        simp = simp_page;
    }
    if (!siefp) {
        status = hv_set_vp_register(HV_REGISTER_SIEFP,
                                    (uintptr_t)siefp_page | (uint64_t)HV_SYNIC_SIEFP_ENABLE);
        if (status != HV_STATUS_SUCCESS)
            return status;
        siefp = siefp_page;
    }
    /* Unmasked (MASKED bit clear), polling, no auto-EOI. */
    status = hv_set_vp_register(HV_REGISTER_SINT0 + sint,
                                PARVIS_SDK_SINT_VECTOR | (uint64_t)HV_SYNIC_SINT_POLLING);
    if (status != HV_STATUS_SUCCESS)
        return status;
    return hv_set_vp_register(HV_REGISTER_SCONTROL, (uint64_t)HV_SYNIC_SCONTROL_ENABLE);
}

bool synic_poll_message(uint32_t sint, struct hv_message *out)
{
    if (!simp || sint >= HV_SYNIC_SINT_COUNT)
        return false;
    volatile struct hv_message *slot = &simp[sint]; /* byte offset sint * 256 */
    uint32_t type = slot->message_type;
    if (type == HV_MESSAGE_TYPE_NONE)
        return false;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);

    uint8_t size = slot->payload_size;
    if (size > HV_MESSAGE_MAX_PAYLOAD)
        size = HV_MESSAGE_MAX_PAYLOAD;
    /* Only header + payload: guest stores are expensive. */
    memcpy(out, (const void *)slot, MESSAGE_HEADER_BYTES + size);
    out->message_type = type;
    out->payload_size = size;

    /* Free the slot: CAS from the type we saw to NONE. Only the hypervisor
     * writes an empty slot, so a failed CAS means the slot changed under us:
     * report nothing and let the caller poll again. */
    uint32_t expected = type;
    if (!__atomic_compare_exchange_n(&slot->message_type, &expected, HV_MESSAGE_TYPE_NONE, false,
                                     __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        return false;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);

    /* The pending flag may have been set after our copy: look at the slot too.
     * A redundant EOM only makes the hypervisor rescan its queue. */
    if ((out->message_flags | slot->message_flags) & HV_MESSAGE_FLAG_PENDING)
        hv_set_vp_register(HV_REGISTER_EOM, 0);
    return true;
}

void synic_wait_message(uint32_t sint, struct hv_message *out)
{
    while (!synic_poll_message(sint, out))
        hv_halt(); /* returns when SynIC work is pending, or spuriously */
}

bool synic_test_and_clear_event(uint32_t sint, uint32_t flag)
{
    if (!siefp || sint >= HV_SYNIC_SINT_COUNT || flag >= HV_SYNIC_EVENT_FLAGS_COUNT)
        return false;
    volatile uint8_t *byte = siefp + sint * HV_SYNIC_EVENT_FLAGS_BYTES_PER_SINT + flag / 8;
    uint8_t bit = (uint8_t)(1u << (flag % 8));
    if (!(*byte & bit))
        return false; /* cheap read first: no locked RMW when clear */
    return (__atomic_fetch_and(byte, (uint8_t)~bit, __ATOMIC_SEQ_CST) & bit) != 0;
}
