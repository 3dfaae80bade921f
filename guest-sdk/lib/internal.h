/* internal.h - declarations shared inside libparvis only (not installed). */
#ifndef PARVIS_SDK_LIB_INTERNAL_H
#define PARVIS_SDK_LIB_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* page.c: the free region [base, limit) from boot info. */
void page_alloc_init(uint64_t base_gpa, uint64_t limit_gpa);

/* hypercall.c: records the hypercall page and allocates an input/output page
 * pair per VP; false when the current VP did not get its pair. */
bool hv_runtime_init(uint64_t hypercall_page_gpa, uint32_t vp_index, uint32_t vp_count);
/* hypercall.c: fixed pages, to report a broken boot before anything is trusted. */
void hv_runtime_init_fixed(uint64_t hypercall_page_gpa, void *input, void *output);

/* hypercall.c: the power-off write reporting `status` (RSI = PARVIS_EXIT_STATUS_MAGIC,
 * EDI = status; the root reads both from the VP its power-off intercept names). */
void hv_power_off_write(uint32_t status);

/* format.c: formats into buf without a terminating NUL; returns the length. */
size_t fmt_format_into(char *buf, size_t cap, const char *fmt, va_list ap);

#endif
