/*
 * parvis/debug.h - text output through the hypervisor debug channel
 * (HvCallPostDebugData). dbg_printf formats one call's output straight into
 * the hypercall input page and posts it with a single hypercall.
 *
 * Conversions: %s %c %d %i %u %x %X %p %%, length modifiers l ll z,
 * flags '0' and '-', a decimal width. Output of one call is cut at 4088 bytes.
 */
#ifndef PARVIS_SDK_DEBUG_H
#define PARVIS_SDK_DEBUG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Posts len bytes (in 4088-byte chunks). Returns the last HV_STATUS. */
uint16_t dbg_write(const void *buf, size_t len);
/* Posts s followed by a newline. */
uint16_t dbg_puts(const char *s);
__attribute__((format(printf, 1, 2))) uint16_t dbg_printf(const char *fmt, ...);
uint16_t dbg_vprintf(const char *fmt, va_list ap);

/* The formatter alone: writes at most cap-1 bytes plus a NUL, returns the
 * number of bytes written (without the NUL). */
__attribute__((format(printf, 3, 4))) size_t fmt_snprintf(char *buf, size_t cap,
                                                          const char *fmt, ...);
size_t fmt_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap);

#endif
