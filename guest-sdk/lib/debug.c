/* debug.c - the debug channel: HvCallPostDebugData (slow call; input
 * {count, options = 0, data[4088]}, output {pending_count}). */
#include <parvis/cpu.h>
#include <parvis/debug.h>
#include <parvis/hv.h>
#include <parvis/mem.h>
#include "internal.h"

#define DEBUG_DATA_MAX sizeof(((struct hv_input_post_debug_data *)0)->data)
#define POST_DEBUG_RETRIES 8u

/* Posts `count` bytes already in the input page's data area. */
static uint16_t post_debug(uint32_t count)
{
    struct hv_input_post_debug_data *in = hv_input_page();
    if (!in)
        return HV_STATUS_INVALID_PARAMETER; /* before runtime init */
    in->count = count;
    in->options = 0;
    uint16_t status = HV_STATUS_SUCCESS;
    for (uint32_t attempt = 0; attempt < POST_DEBUG_RETRIES; attempt++) {
        status = hv_status(hv_hypercall(HVCALL_POST_DEBUG_DATA, (uintptr_t)in,
                                        (uintptr_t)hv_output_page()));
        if (status != HV_STATUS_INSUFFICIENT_BUFFERS)
            break;
        hv_notify_long_spin_wait(attempt + 1);
    }
    return status;
}

uint16_t dbg_write(const void *buf, size_t len)
{
    struct hv_input_post_debug_data *in = hv_input_page();
    if (!in)
        return HV_STATUS_INVALID_PARAMETER;
    const uint8_t *p = buf;
    uint16_t status = HV_STATUS_SUCCESS;
    do {
        size_t chunk = len < DEBUG_DATA_MAX ? len : DEBUG_DATA_MAX;
        if (p != in->data)
            memmove(in->data, p, chunk);
        status = post_debug((uint32_t)chunk);
        p += chunk;
        len -= chunk;
    } while (len && status == HV_STATUS_SUCCESS);
    return status;
}

uint16_t dbg_puts(const char *s)
{
    size_t n = strlen(s);
    struct hv_input_post_debug_data *in = hv_input_page();
    if (in && n < DEBUG_DATA_MAX) { /* one call: text and newline together */
        memmove(in->data, s, n);
        in->data[n] = '\n';
        return post_debug((uint32_t)n + 1);
    }
    uint16_t status = dbg_write(s, n);
    return status == HV_STATUS_SUCCESS ? dbg_write("\n", 1) : status;
}

uint16_t dbg_vprintf(const char *fmt, va_list ap)
{
    struct hv_input_post_debug_data *in = hv_input_page();
    if (!in)
        return HV_STATUS_INVALID_PARAMETER;
    /* Format straight into the hypercall input page: one copy, one call. */
    size_t n = fmt_format_into((char *)in->data, DEBUG_DATA_MAX, fmt, ap);
    return post_debug((uint32_t)n);
}

uint16_t dbg_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    uint16_t status = dbg_vprintf(fmt, ap);
    va_end(ap);
    return status;
}
