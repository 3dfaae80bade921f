/* hypercall.c - raw hypercalls through the hypercall page, rep-call
 * continuation and the per-VP hypercall input/output pages. */
#include <parvis/hv.h>
#include <parvis/mem.h>
#include "internal.h"

/* VPs that get their own input/output page pair at init. Only the boot VP runs
 * SDK code today, so the current VP is the boot VP (see hv_runtime_init). */
#define PARVIS_SDK_MAX_VPS 16u

struct vp_pages {
    void *input;
    void *output;
};

/* Linear address (= GPA) of the hypercall page: `vmcall; ret` at offset 0. */
static uint64_t hypercall_page;
static struct vp_pages vp_pages[PARVIS_SDK_MAX_VPS];
static uint32_t current_vp;

uint64_t hv_hypercall(uint64_t control, uint64_t in_gpa, uint64_t out_gpa)
{
    uint64_t result;
    register uint64_t r8 __asm__("r8") = out_gpa;
    __asm__ volatile("call *%[page]"
                     : "=a"(result), "+c"(control), "+d"(in_gpa), "+r"(r8)
                     : [page] "m"(hypercall_page)
                     : "rsi", "rdi", "r9", "r10", "r11", "memory", "cc");
    return result;
}

/* The Parvis entries preserve every register: the call clobbers nothing but memory. */
void hv_halt(void)
{
    uint64_t entry = hypercall_page + PARVIS_HYPERCALL_PAGE_HALT;
    __asm__ volatile("call *%[entry]" : : [entry] "r"(entry) : "memory");
}

static void port_out(uint64_t entry, uint16_t port, uint32_t value)
{
    __asm__ volatile("call *%[entry]" : : [entry] "r"(entry), "d"(port), "a"(value) : "memory");
}

void hv_port_outb(uint16_t port, uint8_t value) { port_out(hypercall_page + PARVIS_HYPERCALL_PAGE_OUTB, port, value); }
void hv_port_outw(uint16_t port, uint16_t value) { port_out(hypercall_page + PARVIS_HYPERCALL_PAGE_OUTW, port, value); }
void hv_port_outl(uint16_t port, uint32_t value) { port_out(hypercall_page + PARVIS_HYPERCALL_PAGE_OUTL, port, value); }

void hv_power_off_write(uint32_t status)
{
    uint64_t entry = hypercall_page + PARVIS_HYPERCALL_PAGE_OUTW;
    __asm__ volatile("call *%[entry]"
                     :
                     : [entry] "r"(entry), "d"((uint16_t)PARVIS_POWER_OFF_PORT), "a"((uint32_t)PARVIS_POWER_OFF_VALUE),
                       "S"((uint64_t)PARVIS_EXIT_STATUS_MAGIC), "D"((uint64_t)status)
                     : "memory");
}

uint64_t hv_hypercall_fast(uint64_t control, uint64_t rdx, uint64_t r8)
{
    return hv_hypercall(control | HV_HYPERCALL_FAST_BIT, rdx, r8);
}

uint64_t hv_hypercall_rep(uint16_t code, uint16_t rep_count, uint64_t in_gpa, uint64_t out_gpa)
{
    uint16_t start = 0;
    for (;;) {
        uint64_t result = hv_hypercall(hv_control(code, rep_count, start), in_gpa, out_gpa);
        uint16_t done = hv_reps_completed(result);
        /* done <= start: no progress reported, stop rather than spin forever. */
        if (hv_status(result) != HV_STATUS_SUCCESS || done >= rep_count || done <= start)
            return result;
        start = done;
    }
}

void *hv_input_page(void) { return vp_pages[current_vp].input; }
void *hv_output_page(void) { return vp_pages[current_vp].output; }

bool hv_runtime_init(uint64_t hypercall_page_gpa, uint32_t vp_index, uint32_t vp_count)
{
    hypercall_page = hypercall_page_gpa;
    if (vp_count == 0)
        vp_count = 1;
    if (vp_count > PARVIS_SDK_MAX_VPS)
        vp_count = PARVIS_SDK_MAX_VPS;
    current_vp = vp_index < vp_count ? vp_index : 0;
    for (uint32_t vp = 0; vp < vp_count; vp++) {
        vp_pages[vp].input = page_alloc();
        vp_pages[vp].output = page_alloc();
        if (!vp_pages[vp].input || !vp_pages[vp].output)
            return vp > current_vp; /* enough if the current VP got its pair */
    }
    return true;
}

void hv_runtime_init_fixed(uint64_t hypercall_page_gpa, void *input, void *output)
{
    hypercall_page = hypercall_page_gpa;
    current_vp = 0;
    vp_pages[0].input = input;
    vp_pages[0].output = output;
}
