/* runtime.c - boot information check, runtime start-up and power-off. */
#include <parvis/boot.h>
#include <parvis/cpu.h>
#include <parvis/debug.h>
#include <parvis/hv.h>
#include <parvis/mem.h>
#include "internal.h"

/* Free RAM below the image (boot protocol: GPA 0x3000 .. image). Used only to
 * report a boot information page we cannot trust. */
#define EMERGENCY_INPUT_GPA 0x3000u
#define EMERGENCY_OUTPUT_GPA 0x4000u

static const struct parvis_boot_info *boot_info;

const struct parvis_boot_info *parvis_boot(void) { return boot_info; }

void parvis_exit(int status)
{
    hv_power_off_write((uint32_t)status);
    for (;;)
        hv_halt();
}

void parvis_power_off(void) { parvis_exit(0); }

static const char *boot_info_problem(const struct parvis_boot_info *b)
{
    if (b->magic != PARVIS_BOOT_INFO_MAGIC)
        return "bad magic";
    if (b->version != PARVIS_BOOT_INFO_VERSION)
        return "unsupported version";
    if (b->size < sizeof(*b))
        return "structure too small";
    if (b->hypercall_page_gpa == 0 || (b->hypercall_page_gpa & (HV_PAGE_SIZE - 1)) != 0)
        return "bad hypercall page";
    if (b->free_base_gpa > b->stack_base_gpa)
        return "bad free region";
    return 0;
}

__attribute__((noreturn)) static void boot_failure(const struct parvis_boot_info *b,
                                                   const char *problem)
{
    hv_runtime_init_fixed(PARVIS_HYPERCALL_PAGE_GPA, (void *)(uintptr_t)EMERGENCY_INPUT_GPA,
                          (void *)(uintptr_t)EMERGENCY_OUTPUT_GPA);
    dbg_printf("parvis: boot info at %p: %s (magic 0x%lx version %u size %u); powering off\n",
               (const void *)b, problem, (unsigned long)b->magic, (unsigned)b->version,
               (unsigned)b->size);
    parvis_exit(PARVIS_EXIT_BOOT_FAILURE);
}

void parvis_runtime_init(uint64_t boot_info_gpa)
{
    if (boot_info_gpa == 0)
        boot_info_gpa = PARVIS_BOOT_INFO_GPA;
    const struct parvis_boot_info *b = (const void *)(uintptr_t)boot_info_gpa;
    const char *problem = boot_info_problem(b);
    if (problem)
        boot_failure(b, problem);

    page_alloc_init(b->free_base_gpa, b->stack_base_gpa);
    if (!hv_runtime_init(b->hypercall_page_gpa, b->vp_index, b->vp_count))
        boot_failure(b, "no free pages for the hypercall input/output pages");
    boot_info = b;
    dbg_printf("parvis: partition %lu vp %u/%u, ram %lu KiB, image 0x%lx-0x%lx, %lu free pages\n",
               (unsigned long)b->partition_id, (unsigned)b->vp_index, (unsigned)b->vp_count,
               (unsigned long)(b->ram_size >> 10), (unsigned long)b->image_base_gpa,
               (unsigned long)b->image_end_gpa, (unsigned long)page_alloc_remaining());
}

void parvis_runtime_exit(int code)
{
    dbg_printf("parvis: main returned %d, powering off\n", code);
    parvis_exit(code);
}
