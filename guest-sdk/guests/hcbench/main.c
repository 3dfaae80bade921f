/* hcbench - hypercall benchmark. Request from the root: payload {u64 N}.
 * N == 0 ends the guest; otherwise it issues N fast HvCallSignalEvent calls on
 * boot->root_event_connection_id, flag 0, and replies {u64 N, u64 failures}.
 *
 * The calls go straight to the hypercall page's entry from a register-only loop: the benchmark
 * measures the hypervisor's round trip, and a call through the SDK would add guest loads and
 * stores (about 72 ns per store on unicorn 2.0.1) that have nothing to do with it. Only the call's
 * return address touches memory. (A raw VMCALL would not reach the hypervisor on KVM.) */
#include <parvis/parvis.h>

#define REPLY_MESSAGE_TYPE 1u

struct hcbench_reply {
    uint64_t iterations;
    uint64_t failures; /* calls whose status was not HV_STATUS_SUCCESS */
};

/* N fast SignalEvent calls; returns how many did not succeed. */
static uint64_t signal_loop(uint64_t page, uint32_t connection, uint64_t n)
{
    uint64_t control = (uint64_t)HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT;
    uint64_t failures = 0;
    __asm__ volatile(
        "1:\n\t"
        "mov %[control], %%rcx\n\t"
        "mov %[input], %%rdx\n\t"
        "call *%[page]\n\t"
        "test $0xffff, %%eax\n\t"
        "jz 2f\n\t"
        "inc %[failures]\n"
        "2:\n\t"
        "dec %[n]\n\t"
        "jnz 1b"
        : [failures] "+r"(failures), [n] "+r"(n)
        : [control] "r"(control), [input] "r"((uint64_t)connection), [page] "r"(page)
        : "rax", "rcx", "rdx", "r8", "cc", "memory");
    return failures;
}

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
        reply.failures = signal_loop(boot->hypercall_page_gpa, connection, reply.iterations);
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
