/* vp.c - starting the partition's other VPs (HvCallStartVirtualProcessor). */
#include <parvis/boot.h>
#include <parvis/hv.h>
#include <parvis/mem.h>
#include <parvis/vp.h>

#define VP_STACK_PAGES 4u

/* start.S: pops entry, vp index and arg from the new stack, calls entry, halts. */
extern char parvis_vp_entry[];

static void flat(struct hv_segment_value *s, uint16_t attributes)
{
    s->base = 0;
    s->limit = 0xffffffffu;
    s->selector = 0;
    s->attributes = attributes;
}

uint16_t vp_start(uint32_t vp_index, vp_entry_fn entry, void *arg)
{
    /* Pages come one at a time, each above the last: the stack grows down from
     * the top of the last page (the allocator zeroes them). */
    uint8_t *top = 0;
    for (uint32_t i = 0; i < VP_STACK_PAGES; i++) {
        uint8_t *page = page_alloc();
        if (!page)
            return HV_STATUS_INSUFFICIENT_BUFFERS;
        top = page + HV_PAGE_SIZE;
    }
    uint64_t *frame = (uint64_t *)(void *)(top - 32);
    frame[0] = (uint64_t)(uintptr_t)entry;
    frame[1] = vp_index;
    frame[2] = (uint64_t)(uintptr_t)arg;
    frame[3] = 0;

    struct hv_input_start_virtual_processor *in = hv_input_page();
    memset(in, 0, sizeof(*in));
    in->partition_id = HV_PARTITION_ID_SELF;
    in->vp_index = vp_index;
    struct hv_initial_vp_context *c = &in->vp_context;
    c->rip = (uint64_t)(uintptr_t)parvis_vp_entry;
    c->rsp = (uint64_t)(uintptr_t)frame;
    c->rflags = 0x2;
    flat(&c->cs, PARVIS_BOOT_CODE_SEGMENT_ATTRIBUTES);
    flat(&c->ds, PARVIS_BOOT_DATA_SEGMENT_ATTRIBUTES);
    flat(&c->es, PARVIS_BOOT_DATA_SEGMENT_ATTRIBUTES);
    flat(&c->fs, PARVIS_BOOT_DATA_SEGMENT_ATTRIBUTES);
    flat(&c->gs, PARVIS_BOOT_DATA_SEGMENT_ATTRIBUTES);
    flat(&c->ss, PARVIS_BOOT_DATA_SEGMENT_ATTRIBUTES);
    c->efer = PARVIS_BOOT_EFER;
    c->cr0 = PARVIS_BOOT_CR0;
    uint64_t result = hv_hypercall(hv_control(HVCALL_START_VIRTUAL_PROCESSOR, 0, 0), (uint64_t)(uintptr_t)in, 0);
    return hv_status(result);
}
