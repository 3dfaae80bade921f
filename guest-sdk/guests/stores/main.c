/* stores - store bandwidth benchmark. Request from the root: payload {u64 N}.
 * N == 0 ends the guest; otherwise it stores over a 64 KiB buffer N times with
 * store_loop (below) and replies {u64 N}. The bench runs the very same bytes
 * natively on the host (StoresBench.STORE_LOOP) for its baseline. */
#include <parvis/parvis.h>

#define REPLY_MESSAGE_TYPE 1u
#define BUFFER_BYTES 65536u

/* store_loop(rdi = buffer, rsi = bytes, a multiple of 32, rdx = rounds):
 * 0: mov %rdi,%r8; mov %rsi,%rcx; shr $5,%rcx
 * 1: mov %rdx,(%r8); mov %rdx,8(%r8); mov %rdx,16(%r8); mov %rdx,24(%r8);
 *    add $32,%r8; dec %rcx; jnz 1b; dec %rdx; jnz 0b; ret */
__asm__(".text\n"
        ".globl store_loop\n"
        "store_loop:\n"
        ".byte 0x49,0x89,0xf8,0x48,0x89,0xf1,0x48,0xc1,0xe9,0x05,0x49,0x89,0x10,0x49,0x89,0x50\n"
        ".byte 0x08,0x49,0x89,0x50,0x10,0x49,0x89,0x50,0x18,0x49,0x83,0xc0,0x20,0x48,0xff,0xc9\n"
        ".byte 0x75,0xe8,0x48,0xff,0xca,0x75,0xd9,0xc3\n");

void store_loop(void *buffer, uint64_t bytes, uint64_t rounds);

static uint8_t buffer[BUFFER_BYTES] __attribute__((aligned(4096)));

int main(void)
{
    const struct parvis_boot_info *boot = parvis_boot();
    uint32_t sint = boot->root_message_sint;
    uint16_t status = synic_enable(sint);
    dbg_printf("stores: SynIC on SINT %u (status 0x%x), waiting for requests\n", sint, status);
    if (status != HV_STATUS_SUCCESS)
        return 1;
    for (;;) {
        struct hv_message request;
        synic_wait_message(sint, &request);
        if (request.payload_size < sizeof(uint64_t))
            continue;
        uint64_t n;
        memcpy(&n, request.payload, sizeof(n));
        if (n == 0)
            break;
        store_loop(buffer, BUFFER_BYTES, n);
        status = hv_post_message(boot->root_message_connection_id, REPLY_MESSAGE_TYPE, &n, sizeof(n));
        if (status != HV_STATUS_SUCCESS)
            return 2;
    }
    return 0;
}
