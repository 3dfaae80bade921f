/* page.c - bump allocator over the boot protocol's free region
 * [free_base_gpa, stack_base_gpa). Pages are zeroed and never freed. */
#include <parvis/hvabi.h>
#include <parvis/mem.h>
#include "internal.h"

#define PAGE ((uint64_t)HV_PAGE_SIZE)

static uint64_t next_gpa;
static uint64_t limit_gpa;

void page_alloc_init(uint64_t base, uint64_t limit)
{
    next_gpa = (base + PAGE - 1) & ~(PAGE - 1);
    limit_gpa = limit & ~(PAGE - 1);
    if (next_gpa > limit_gpa)
        next_gpa = limit_gpa;
}

void *page_alloc(void)
{
    if (next_gpa == 0 || limit_gpa - next_gpa < PAGE)
        return NULL;
    void *page = (void *)(uintptr_t)next_gpa;
    next_gpa += PAGE;
    memset(page, 0, PAGE);
    return page;
}

void *page_alloc_contiguous(uint32_t pages)
{
    uint8_t *first = page_alloc();
    if (!first)
        return 0;
    for (uint32_t i = 1; i < pages; i++)
        if (page_alloc() != first + i * PAGE)
            return 0;
    return first;
}

uint64_t page_alloc_remaining(void)
{
    return next_gpa == 0 ? 0 : (limit_gpa - next_gpa) / PAGE;
}
