/* mem.c - memcpy/memmove/memset/memcmp/strlen for a freestanding guest.
 * Guest stores are expensive under unicorn (~72 ns each), so bulk copies move
 * 8 bytes per store. Built with -fno-tree-loop-distribute-patterns so gcc does
 * not turn these loops back into calls to themselves. */
#include <parvis/mem.h>

typedef uint64_t __attribute__((may_alias, aligned(1))) u64_unaligned;

void *memcpy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    for (; n >= 8; n -= 8, d += 8, s += 8)
        *(u64_unaligned *)d = *(const u64_unaligned *)s;
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d <= s || d >= s + n)
        return memcpy(dst, src, n);
    d += n;
    s += n;
    for (; n >= 8; n -= 8) {
        d -= 8;
        s -= 8;
        *(u64_unaligned *)d = *(const u64_unaligned *)s;
    }
    while (n--)
        *--d = *--s;
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;
    uint64_t pattern = 0x0101010101010101ull * (uint8_t)c;
    for (; n >= 8; n -= 8, d += 8)
        *(u64_unaligned *)d = pattern;
    while (n--)
        *d++ = (uint8_t)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x < *y ? -1 : 1;
    return 0;
}

size_t strlen(const char *s)
{
    const char *p = s;
    while (*p)
        p++;
    return (size_t)(p - s);
}
