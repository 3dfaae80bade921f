/* hcbench - hypercall benchmark. Request from the root: payload {u64 N}.
 * N == 0 ends the guest; otherwise it issues N fast HvCallSignalEvent calls on
 * boot->root_event_connection_id, flag 0, and replies {u64 N, u64 failures}. */
#include <parvis/parvis.h>

#define REPLY_MESSAGE_TYPE 1u

struct hcbench_reply {
    uint64_t iterations;
    uint64_t failures; /* calls whose status was not HV_STATUS_SUCCESS */
};

int main(void)
{
    const struct parvis_boot_info *boot = parvis_boot();
    uint32_t sint = boot->root_message_sint;
    uint32_t connection = boot->root_event_connection_id;
    uint16_t status = synic_enable(sint);
    dbg_printf("hcbench: SynIC on SINT %u (status 0x%x), events go to connection %u\n", sint,
               status, connection);
    if (status != HV_STATUS_SUCCESS)
        return 1;

    uint64_t requests = 0;
    for (;;) {
        struct hv_message request;
        synic_wait_message(sint, &request);
        if (request.payload_size < sizeof(uint64_t)) {
            dbg_printf("hcbench: ignoring a %u-byte request\n", request.payload_size);
            continue;
        }
        struct hcbench_reply reply = {0, 0};
        memcpy(&reply.iterations, request.payload, sizeof(reply.iterations));
        if (reply.iterations == 0)
            break;
        for (uint64_t i = 0; i < reply.iterations; i++)
            if (hv_signal_event(connection, 0) != HV_STATUS_SUCCESS)
                reply.failures++;
        requests++;
        status = hv_post_message(boot->root_message_connection_id, REPLY_MESSAGE_TYPE, &reply,
                                 sizeof(reply));
        if (status != HV_STATUS_SUCCESS) {
            dbg_printf("hcbench: reply to request %lu failed (status 0x%x)\n", requests, status);
            return 2;
        }
    }
    dbg_printf("hcbench: done after %lu requests\n", requests);
    return 0;
}
