/* wild - isolation test. Request from the root: payload {u64 target_gpa,
 * u64 value}. The guest stores value at target_gpa (the root expects an
 * intercept for an address outside the guest's map, maps a page there or not,
 * and resumes), reads it back and replies {u64 read_back}. */
#include <parvis/parvis.h>

#define REPLY_MESSAGE_TYPE 1u

struct wild_request {
    uint64_t target_gpa;
    uint64_t value;
};

int main(void)
{
    const struct parvis_boot_info *boot = parvis_boot();
    uint32_t sint = boot->root_message_sint;
    uint16_t status = synic_enable(sint);
    dbg_printf("wild: SynIC on SINT %u (status 0x%x), waiting for a target\n", sint, status);
    if (status != HV_STATUS_SUCCESS)
        return 1;

    struct hv_message message;
    synic_wait_message(sint, &message);
    if (message.payload_size < sizeof(struct wild_request)) {
        dbg_printf("wild: request too short (%u bytes)\n", message.payload_size);
        return 2;
    }
    struct wild_request request;
    memcpy(&request, message.payload, sizeof(request));

    volatile uint64_t *target = (volatile uint64_t *)(uintptr_t)request.target_gpa;
    dbg_printf("wild: storing 0x%lx at GPA 0x%lx\n", request.value, request.target_gpa);
    *target = request.value;
    uint64_t read_back = *target;
    dbg_printf("wild: store returned, read back 0x%lx\n", read_back);

    status = hv_post_message(boot->root_message_connection_id, REPLY_MESSAGE_TYPE, &read_back,
                             sizeof(read_back));
    dbg_printf("wild: reported to the root (status 0x%x)\n", status);
    return status == HV_STATUS_SUCCESS ? 0 : 3;
}
