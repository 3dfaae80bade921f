/* spin - CPU benchmark. Request from the root: payload {u64 N}. N == 0 ends
 * the guest; otherwise it runs exactly N iterations of `1: dec %rcx; jnz 1b`
 * (two instructions, no memory traffic) and replies {u64 N}. */
#include <parvis/parvis.h>

#define REPLY_MESSAGE_TYPE 1u

static void spin(uint64_t n)
{
    __asm__ volatile("1: dec %0\n\t"
                     "jnz 1b"
                     : "+c"(n)
                     :
                     : "cc");
}

int main(void)
{
    const struct parvis_boot_info *boot = parvis_boot();
    uint32_t sint = boot->root_message_sint;
    uint16_t status = synic_enable(sint);
    dbg_printf("spin: SynIC on SINT %u (status 0x%x), waiting for requests\n", sint, status);
    if (status != HV_STATUS_SUCCESS)
        return 1;

    uint64_t requests = 0;
    for (;;) {
        struct hv_message request;
        synic_wait_message(sint, &request);
        if (request.payload_size < sizeof(uint64_t)) {
            dbg_printf("spin: ignoring a %u-byte request\n", request.payload_size);
            continue;
        }
        uint64_t n;
        memcpy(&n, request.payload, sizeof(n));
        if (n == 0)
            break;
        spin(n);
        requests++;
        status = hv_post_message(boot->root_message_connection_id, REPLY_MESSAGE_TYPE, &n,
                                 sizeof(n));
        if (status != HV_STATUS_SUCCESS) {
            dbg_printf("spin: reply to request %lu failed (status 0x%x)\n", requests, status);
            return 2;
        }
    }
    dbg_printf("spin: done after %lu requests\n", requests);
    return 0;
}
