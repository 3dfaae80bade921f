/* vmbus_ring.c - VMBus ring buffers, guest side (hyperv-abi-vmbus.md §7).
 *
 * A packet is [descriptor 16 B][payload, zero-padded to 8][trailer 8 B =
 * start offset << 32]. Indices are byte offsets into the data area, multiples
 * of 8, so a packet only ever wraps at an 8-byte boundary and every access is
 * one aligned 64-bit word: guest stores are expensive (~72 ns), no byte loops.
 * Our own index (send: write, recv: read) is kept privately; the host's index
 * is read from the control page and validated before every use. */
#include <parvis/cpu.h>
#include <parvis/hv.h>
#include <parvis/mem.h>
#include <parvis/synic.h>
#include <parvis/vmbus.h>
#include "vmbus_internal.h"

#define DESC_BYTES ((uint32_t)sizeof(struct vmbus_packet_descriptor))
#define TRAILER_BYTES ((uint32_t)VMBUS_PACKET_TRAILER_SIZE)

/* The descriptor is written and read as two u64 words; pin the layout. */
_Static_assert(sizeof(struct vmbus_packet_descriptor) == 16, "descriptor is 16 bytes");
_Static_assert(__builtin_offsetof(struct vmbus_packet_descriptor, type) == 0, "type @0");
_Static_assert(__builtin_offsetof(struct vmbus_packet_descriptor, offset8) == 2, "offset8 @2");
_Static_assert(__builtin_offsetof(struct vmbus_packet_descriptor, len8) == 4, "len8 @4");
_Static_assert(__builtin_offsetof(struct vmbus_packet_descriptor, flags) == 6, "flags @6");
_Static_assert(__builtin_offsetof(struct vmbus_packet_descriptor, transaction_id) == 8, "txid @8");
_Static_assert(sizeof(struct vmbus_ring_control) == VMBUS_RING_CONTROL_SIZE, "control page");
_Static_assert(__builtin_offsetof(struct vmbus_ring_control, feature_bits) == 64, "feature_bits @64");
_Static_assert(VMBUS_PACKET_ALIGNMENT == 8 && VMBUS_PACKET_TRAILER_SIZE == 8, "8-byte packets");

static inline uint32_t align8(uint32_t n) { return (n + 7u) & ~7u; }

static inline bool index_ok(const struct vmbus_ring *r, uint32_t i)
{
    return i < r->size && (i & 7u) == 0;
}

/* §7.4: bytes_to_read; free = size - used. read == write means empty. */
static inline uint32_t used_bytes(uint32_t write, uint32_t read, uint32_t size)
{
    return write >= read ? write - read : size - read + write;
}

static inline uint32_t advance(const struct vmbus_ring *r, uint32_t off, uint32_t n)
{
    off += n;
    return off >= r->size ? off - r->size : off;
}

static inline uint32_t acquire_u32(const volatile uint32_t *p)
{
    uint32_t v = *p;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return v;
}

/* ---- word access, wrapping at the end of the data area --------------------- */

static uint32_t put_u64(struct vmbus_ring *r, uint32_t off, uint64_t v)
{
    *(volatile uint64_t *)(r->data + off) = v;
    return advance(r, off, 8);
}

static uint64_t get_u64(const struct vmbus_ring *r, uint32_t off)
{
    return *(const volatile uint64_t *)(r->data + off);
}

/* n is a multiple of 8 and < size; memcpy moves whole words here. */
static uint32_t copy_in(struct vmbus_ring *r, uint32_t off, const void *src, uint32_t n)
{
    uint32_t first = r->size - off < n ? r->size - off : n;
    memcpy(r->data + off, src, first);
    memcpy(r->data, (const uint8_t *)src + first, n - first);
    return advance(r, off, n);
}

static void copy_out(const struct vmbus_ring *r, uint32_t off, void *dst, uint32_t n)
{
    uint32_t first = r->size - off < n ? r->size - off : n;
    memcpy(dst, r->data + off, first);
    memcpy((uint8_t *)dst + first, r->data, n - first);
}

/* The last 1..7 payload bytes as one zero-padded little-endian word: loads
 * only, one store instead of up to 14 byte stores. */
static uint64_t tail_word(const uint8_t *p, uint32_t n)
{
    uint64_t v = 0;
    for (uint32_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

uint32_t vmbus_ring_bytes_to_read(const struct vmbus_ring *r)
{
    uint32_t write = acquire_u32(&r->control->write_index);
    return index_ok(r, write) ? used_bytes(write, r->index, r->size) : 0;
}

int vmbus_signal(struct vmbus_channel *ch)
{
    ch->signals_sent++;
    uint16_t status = hv_signal_event(ch->connection_id, 0);
    return status == HV_STATUS_SUCCESS ? 0 : (VMBUS_ERR_HYPERCALL | status);
}

/* Waits for the host's signal (event flag relid of SINT 2). Callers re-check
 * their ring condition afterwards: flags are shared by both directions. */
static bool wait_event(struct vmbus_channel *ch, struct vmbus_wait *w)
{
    while (!synic_test_and_clear_event(VMBUS_MESSAGE_SINT, ch->relid))
        if (!vmbus_wait_idle(w))
            return false;
    return true;
}

/* ---- send ---------------------------------------------------------------- */

/* Free bytes in the send ring, or -1 if the host's read_index is corrupt. */
static int64_t send_free(const struct vmbus_ring *r)
{
    uint32_t read = acquire_u32(&r->control->read_index);
    if (!index_ok(r, read))
        return -1;
    return r->size - used_bytes(r->index, read, r->size);
}

/* §7.4: a packet of `total` bytes fits only if free > total. When it does not,
 * ask the host to signal us (§7.5 pending_send_size), re-check, wait. */
static int wait_for_space(struct vmbus_channel *ch, uint32_t total)
{
    struct vmbus_ring *r = &ch->send;
    int64_t free = send_free(r);
    if (free > total)
        return 0;
    ch->space_waits++;
    struct vmbus_wait w;
    vmbus_wait_start(&w, ch->conn->wait_ticks);
    int rc = 0;
    /* Linux's rule (hv_ringbuffer_write): pending_send_size is the packet plus
     * its trailer, and the reader signals once free space rises above it. */
    r->control->pending_send_size = total;
    for (;;) {
        cpu_mb(); /* publish pending_send_size before re-reading read_index */
        free = send_free(r);
        if (free < 0 || free > total) {
            rc = free < 0 ? VMBUS_ERR_RING_CORRUPT : 0;
            break;
        }
        if (!wait_event(ch, &w)) {
            rc = VMBUS_ERR_TIMEOUT;
            break;
        }
    }
    r->control->pending_send_size = 0;
    return rc;
}

int vmbus_send(struct vmbus_channel *ch, uint16_t type, uint16_t flags, uint64_t txid,
               const void *payload, uint32_t len)
{
    return vmbus_send_with_header(ch, type, flags, txid, 0, 0, payload, len);
}

int vmbus_send_with_header(struct vmbus_channel *ch, uint16_t type, uint16_t flags, uint64_t txid,
                           const void *header, uint32_t header_len, const void *payload,
                           uint32_t len)
{
    struct vmbus_ring *r = &ch->send;
    if (!ch->open)
        return VMBUS_ERR_NOT_OPEN;
    if (header_len & 7u)
        return VMBUS_ERR_INVALID;
    uint64_t offset = (uint64_t)DESC_BYTES + header_len;     /* offset8 * 8 */
    uint64_t packet = offset + align8(len);                   /* len8 * 8 */
    uint64_t total = packet + TRAILER_BYTES;
    /* Largest packet: free is at most size and must stay > total. */
    if (len > r->size || header_len > r->size || total > r->size - 8 || packet / 8 > 0xffff)
        return VMBUS_ERR_TOO_BIG;
    int rc = wait_for_space(ch, (uint32_t)total);
    if (rc)
        return rc;

    uint32_t start = r->index;
    uint64_t desc = (uint64_t)type | (uint64_t)(offset / 8) << 16 |
                    (uint64_t)(packet / 8) << 32 | (uint64_t)flags << 48;
    uint32_t off = put_u64(r, start, desc);
    off = put_u64(r, off, txid);
    off = copy_in(r, off, header, header_len);
    off = copy_in(r, off, payload, len & ~7u);
    if (len & 7u)
        off = put_u64(r, off, tail_word((const uint8_t *)payload + (len & ~7u), len & 7u));
    off = put_u64(r, off, (uint64_t)start << 32); /* trailer: start offset << 32 */

    cpu_mb(); /* the packet is visible before write_index says so */
    r->control->write_index = off;
    r->index = off;
    cpu_mb(); /* write_index is visible before we look at the host's state */

    /* §7.5: signal only if the host wants interrupts and the ring was empty
     * before this packet (otherwise the host is still draining). */
    if (r->control->interrupt_mask == 0 && r->control->read_index == start)
        return vmbus_signal(ch);
    return 0;
}

/* ---- receive ------------------------------------------------------------- */

/* §7.5 flow control, Linux's rule (hv_pkt_iter_close): after freeing space,
 * signal the host only if it waits (pending_send_size != 0) and this read took
 * free space from at most pending_send_size to strictly more (a writer needs
 * free > packet + trailer and asks for exactly packet + trailer). */
static void signal_if_space_crossed(struct vmbus_channel *ch, uint32_t freed)
{
    struct vmbus_ring *r = &ch->recv;
    if (!(r->control->feature_bits & VMBUS_RING_FEATURE_PENDING_SEND_SIZE))
        return;
    cpu_mb(); /* read_index is published before we read pending_send_size */
    uint32_t pss = r->control->pending_send_size;
    if (pss == 0)
        return;
    uint32_t write = acquire_u32(&r->control->write_index);
    if (!index_ok(r, write))
        return;
    uint32_t free_now = r->size - used_bytes(write, r->index, r->size);
    if (free_now < freed)
        return; /* the host published more than it had room for: not our problem here */
    uint32_t free_before = free_now - freed;
    if (free_before <= pss && free_now > pss)
        vmbus_signal(ch);
}

int vmbus_recv(struct vmbus_channel *ch, struct vmbus_packet_info *info, void *buf, uint32_t cap)
{
    struct vmbus_ring *r = &ch->recv;
    if (!ch->open)
        return VMBUS_ERR_NOT_OPEN;
    uint32_t write = acquire_u32(&r->control->write_index);
    if (!index_ok(r, write))
        return VMBUS_ERR_RING_CORRUPT;
    uint32_t avail = used_bytes(write, r->index, r->size);
    if (avail == 0)
        return VMBUS_ERR_EMPTY;
    if (avail < DESC_BYTES + TRAILER_BYTES)
        return VMBUS_ERR_RING_CORRUPT;

    uint64_t desc = get_u64(r, r->index);
    uint32_t header = (uint32_t)((desc >> 16) & 0xffff) * 8; /* offset8 * 8 */
    uint32_t packet = (uint32_t)((desc >> 32) & 0xffff) * 8; /* len8 * 8 */
    /* Never trust the host: the packet and its trailer lie within what it
     * published, and the payload starts after the descriptor. */
    if (header < DESC_BYTES || header > packet || packet + TRAILER_BYTES > avail)
        return VMBUS_ERR_RING_CORRUPT;
    info->type = (uint16_t)desc;
    info->flags = (uint16_t)(desc >> 48);
    info->transaction_id = get_u64(r, advance(r, r->index, 8));
    info->header_bytes = header;
    info->payload_bytes = packet - header;
    if (info->payload_bytes > cap)
        return VMBUS_ERR_TOO_SMALL; /* left in the ring */
    copy_out(r, advance(r, r->index, header), buf, info->payload_bytes);

    cpu_mb(); /* done reading the packet before the host may overwrite it */
    uint32_t freed = packet + TRAILER_BYTES;
    r->index = advance(r, r->index, freed);
    r->control->read_index = r->index;
    signal_if_space_crossed(ch, freed); /* the packet is ours either way */
    return 0;
}

int vmbus_recv_wait(struct vmbus_channel *ch, struct vmbus_packet_info *info, void *buf,
                    uint32_t cap)
{
    struct vmbus_wait w;
    vmbus_wait_start(&w, ch->conn->wait_ticks);
    for (;;) {
        int rc = vmbus_recv(ch, info, buf, cap);
        if (rc != VMBUS_ERR_EMPTY)
            return rc;
        /* §7.5: unmask, then re-check, so a packet published in between is
         * either seen now or signalled. */
        ch->recv.control->interrupt_mask = 0;
        cpu_mb();
        if (vmbus_ring_bytes_to_read(&ch->recv))
            continue;
        if (!wait_event(ch, &w))
            return VMBUS_ERR_TIMEOUT;
    }
}
