/*
 * parvis/mem.h - freestanding memory and string routines (gcc emits calls to
 * memcpy/memset/memmove/memcmp itself) and the guest page allocator.
 *
 * page_alloc() hands out zeroed 4 KiB pages from the boot protocol's free region
 * [free_base_gpa, stack_base_gpa); pages are never freed. Addresses are GPAs,
 * which are also the guest's linear addresses (no paging).
 */
#ifndef PARVIS_SDK_MEM_H
#define PARVIS_SDK_MEM_H

#include <stddef.h>
#include <stdint.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

/* One zeroed, 4 KiB-aligned page, or NULL when the free region is exhausted. */
void *page_alloc(void);
/* `pages` consecutive zeroed pages (page_alloc hands them out in address
 * order), or NULL; a partial run is lost (pages are never freed). */
void *page_alloc_contiguous(uint32_t pages);
/* Pages still available to page_alloc(). */
uint64_t page_alloc_remaining(void);

#endif
