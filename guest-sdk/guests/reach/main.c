/* reach - memory isolation probe. Each request from the root, {u64 kind, u64 gpa},
 * makes one access of that kind at gpa with one instruction, then replies
 * {u64 kind, u64 result}. An access the guest must not make faults: the root gets
 * the intercept, moves RIP past the instruction (or, for a call, returns from it)
 * and resumes; the reply then shows what the guest observed (a load's register
 * still holding the sentinel: nothing was read). */
#include <parvis/parvis.h>

#define REPLY_MESSAGE_TYPE 1u
#define SENTINEL 0x5e5e5e5e5e5e5e5eull
#define MARKER 0x4d41524b45524d4bull

enum kind {
    READ = 0,         /* mov (%rdi), %rax       48 8b 07 */
    WRITE = 1,        /* mov %rsi, (%rdi)       48 89 37 */
    STRING_READ = 2,  /* rep movsb, from gpa    f3 a4 */
    STRING_WRITE = 3, /* rep stosb, to gpa      f3 aa */
    EXECUTE = 4,      /* call *%rdi             ff d7 */
    WATCH = 5,        /* read gpa until it holds MARKER */
    PEEK = 6,         /* read the 8 bytes at gpa (a page the guest owns) */
};

static uint8_t buffer[64];

static uint64_t attempt(uint64_t kind, uint64_t gpa)
{
    uint64_t rax = SENTINEL;
    switch (kind) {
    case READ:
        __asm__ volatile(".byte 0x48, 0x8b, 0x07" : "+a"(rax) : "D"(gpa) : "memory");
        return rax;
    case WRITE:
        __asm__ volatile(".byte 0x48, 0x89, 0x37" : : "D"(gpa), "S"(0x7777777777777777ull) : "memory");
        return 0;
    case STRING_READ: {
        memset(buffer, 0x5e, sizeof(buffer));
        uint64_t count = sizeof(buffer);
        void *dst = buffer;
        __asm__ volatile(".byte 0xf3, 0xa4" : "+D"(dst), "+S"(gpa), "+c"(count) : : "memory");
        memcpy(&rax, buffer, sizeof(rax));
        return rax;
    }
    case STRING_WRITE: {
        uint64_t count = 64;
        __asm__ volatile(".byte 0xf3, 0xaa" : "+D"(gpa), "+c"(count) : "a"(0x77) : "memory");
        return count;
    }
    case EXECUTE:
        __asm__ volatile(".byte 0xff, 0xd7" : : "D"(gpa) : "rax", "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "memory");
        return 0;
    case WATCH:
        while (*(volatile uint64_t *)(uintptr_t)gpa != MARKER)
            cpu_pause();
        return MARKER;
    case PEEK:
        return *(volatile uint64_t *)(uintptr_t)gpa;
    default:
        return ~0ull;
    }
}

int main(void)
{
    const struct parvis_boot_info *boot = parvis_boot();
    uint32_t sint = boot->root_message_sint;
    uint16_t status = synic_enable(sint);
    dbg_printf("reach: SynIC on SINT %u (status 0x%x), waiting for requests\n", sint, status);
    if (status != HV_STATUS_SUCCESS)
        return 1;
    for (;;) {
        struct hv_message request;
        synic_wait_message(sint, &request);
        uint64_t kind_gpa[2];
        if (request.payload_size < sizeof(kind_gpa))
            continue;
        memcpy(kind_gpa, request.payload, sizeof(kind_gpa));
        if (kind_gpa[0] == ~0ull)
            break;
        uint64_t reply[2] = {kind_gpa[0], attempt(kind_gpa[0], kind_gpa[1])};
        status = hv_post_message(boot->root_message_connection_id, REPLY_MESSAGE_TYPE, reply, sizeof(reply));
        if (status != HV_STATUS_SUCCESS)
            return 2;
    }
    return 0;
}
