/* format.c - a small printf-style formatter (no floating point). */
#include <stdbool.h>
#include <parvis/debug.h>
#include <parvis/mem.h>
#include "internal.h"

struct sink {
    char *buf;
    size_t cap; /* bytes that may be written */
    size_t len; /* bytes written */
};

static void put(struct sink *s, char c)
{
    if (s->len < s->cap)
        s->buf[s->len++] = c;
}

static void put_padded(struct sink *s, const char *str, size_t n, unsigned width, bool left, char pad)
{
    size_t fill = width > n ? width - n : 0;
    if (!left)
        while (fill--)
            put(s, pad);
    for (size_t i = 0; i < n; i++)
        put(s, str[i]);
    if (left)
        while (fill--)
            put(s, ' ');
}

static void put_number(struct sink *s, uint64_t v, unsigned base, bool negative, unsigned width,
                       bool left, bool zero, bool upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    size_t n = 0;
    do {
        tmp[sizeof(tmp) - 1 - n++] = digits[v % base];
        v /= base;
    } while (v);
    if (negative) {
        if (zero && !left) {
            put(s, '-');
            width = width ? width - 1 : 0;
        } else {
            tmp[sizeof(tmp) - 1 - n++] = '-';
        }
    }
    put_padded(s, tmp + sizeof(tmp) - n, n, width, left, zero && !left ? '0' : ' ');
}

static void format(struct sink *s, const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(s, *fmt);
            continue;
        }
        bool left = false, zero = false;
        unsigned width = 0, longs = 0;
        for (;; fmt++) {
            if (fmt[1] == '-')
                left = true;
            else if (fmt[1] == '0')
                zero = true;
            else
                break;
        }
        while (fmt[1] >= '0' && fmt[1] <= '9')
            width = width * 10 + (unsigned)(*++fmt - '0');
        while (fmt[1] == 'l' || fmt[1] == 'z') {
            longs++;
            fmt++;
        }
        char conv = *++fmt;
        switch (conv) {
        case 'd':
        case 'i': {
            int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
            uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
            put_number(s, mag, 10, v < 0, width, left, zero, false);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t v = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
            put_number(s, v, conv == 'u' ? 10 : 16, false, width, left, zero, conv == 'X');
            break;
        }
        case 'p':
            put(s, '0');
            put(s, 'x');
            put_number(s, (uintptr_t)va_arg(ap, void *), 16, false, width, left, zero, false);
            break;
        case 'c': {
            char c = (char)va_arg(ap, int);
            put_padded(s, &c, 1, width, left, ' ');
            break;
        }
        case 's': {
            const char *str = va_arg(ap, const char *);
            if (!str)
                str = "(null)";
            put_padded(s, str, strlen(str), width, left, ' ');
            break;
        }
        case '%':
            put(s, '%');
            break;
        case '\0':
            return;
        default: /* unknown conversion: show it verbatim */
            put(s, '%');
            put(s, conv);
            break;
        }
    }
}

size_t fmt_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap)
{
    if (cap == 0)
        return 0;
    struct sink s = {buf, cap - 1, 0};
    format(&s, fmt, ap);
    buf[s.len] = '\0';
    return s.len;
}

size_t fmt_snprintf(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = fmt_vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    return n;
}

size_t fmt_format_into(char *buf, size_t cap, const char *fmt, va_list ap)
{
    struct sink s = {buf, cap, 0};
    format(&s, fmt, ap);
    return s.len;
}
