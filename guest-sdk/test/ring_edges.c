/* ring_edges.c - the guest ring's flow control at its exact edges, host-native (Linux's rule,
 * hyperv-abi-vmbus.md section 7.4/7.5): a writer writes a packet of T bytes (trailer included) only
 * when free space > T and otherwise sets pending_send_size = T; a reader signals the writer only when
 * a read takes free space from <= pending_send_size to > pending_send_size. Exit status 0 = pass. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include <parvis/vmbus.h>

extern uint64_t stub_signals;
extern bool stub_event_pending;
extern volatile uint32_t *stub_watch;
extern uint32_t stub_watched;

#define DATA 4096u
static _Alignas(4096) uint8_t memory[2 * (4096 + DATA)];
static struct vmbus_connection conn = {.wait_ticks = 1};
static struct vmbus_channel ch;

static void reset(void)
{
    memset(memory, 0, sizeof(memory));
    memset(&ch, 0, sizeof(ch));
    ch.conn = &conn;
    ch.open = true;
    ch.relid = 1;
    ch.send = (struct vmbus_ring){(volatile struct vmbus_ring_control *)memory, memory + 4096, DATA, 0};
    ch.recv = (struct vmbus_ring){(volatile struct vmbus_ring_control *)(memory + 4096 + DATA),
                                  memory + 2 * 4096 + DATA, DATA, 0};
    ch.send.control->feature_bits = VMBUS_RING_FEATURE_PENDING_SEND_SIZE;
    ch.recv.control->feature_bits = VMBUS_RING_FEATURE_PENDING_SEND_SIZE;
    stub_signals = 0;
    stub_event_pending = false;
}

/* Send ring state with `free` bytes free: the host has read up to `read`, we wrote up to read - free. */
static void send_ring_with_free(uint32_t free)
{
    uint32_t read = 1024;
    uint32_t write = (read + DATA - free) % DATA;
    ch.send.control->read_index = read;
    ch.send.control->write_index = write;
    ch.send.index = write;
    ch.send.control->interrupt_mask = 1;
}

static void writer_edges(void)
{
    uint8_t payload[64] = {0};
    uint32_t total = 16 + 64 + 8; /* descriptor + payload + trailer */

    reset();
    send_ring_with_free(total);
    uint32_t before = ch.send.index;
    int rc = vmbus_send(&ch, VMBUS_PACKET_TYPE_DATA_INBAND, 0, 1, payload, sizeof(payload));
    CHECK(rc == VMBUS_ERR_TIMEOUT, "free == packet + trailer must not be enough: rc 0x%x", rc);
    CHECK(ch.send.index == before, "nothing written when free == T");
    CHECK(ch.space_waits == 1, "the writer waited for space");

    reset();
    send_ring_with_free(total);
    stub_event_pending = true; /* the host's signal arrives, the read index has not moved: wait on */
    rc = vmbus_send(&ch, VMBUS_PACKET_TYPE_DATA_INBAND, 0, 1, payload, sizeof(payload));
    CHECK(rc == VMBUS_ERR_TIMEOUT, "still free == T after a signal: rc 0x%x", rc);

    reset();
    send_ring_with_free(total + 8);
    rc = vmbus_send(&ch, VMBUS_PACKET_TYPE_DATA_INBAND, 0, 1, payload, sizeof(payload));
    CHECK(rc == 0, "free == T + 8 is enough: rc 0x%x", rc);
    CHECK(ch.send.index == (1024 + DATA - 8) % DATA, "written up to 8 bytes short of read_index: %u",
          ch.send.index);
    CHECK(ch.send.control->pending_send_size == 0, "no space request when it fits");
}

/* What pending_send_size the writer publishes while it waits: a peer (the test) reads it mid-wait. */
static void writer_pending_size(void)
{
    reset();
    uint8_t payload[200] = {0};
    uint32_t total = 16 + 200 + 8;
    send_ring_with_free(total - 8);
    stub_watch = &ch.send.control->pending_send_size;
    stub_watched = 0;
    vmbus_send(&ch, VMBUS_PACKET_TYPE_DATA_INBAND, 0, 1, payload, sizeof(payload));
    stub_watch = 0;
    CHECK(ch.space_waits == 1, "waited");
    CHECK(stub_watched == total, "pending_send_size while waiting is packet + trailer = %u, not %u", total,
          stub_watched);
    CHECK(ch.send.control->pending_send_size == 0, "cleared when the wait ends");
}

/* Host writes `count` packets of `payload_bytes` into our receive ring. */
static uint32_t host_writes(uint32_t count, uint32_t payload_bytes)
{
    struct vmbus_ring *r = &ch.recv;
    uint32_t w = r->control->write_index;
    uint32_t len8 = (16 + payload_bytes) / 8;
    for (uint32_t i = 0; i < count; i++) {
        uint64_t *words = (uint64_t *)r->data;
        uint32_t start = w;
        words[w / 8] = (uint64_t)VMBUS_PACKET_TYPE_DATA_INBAND | (uint64_t)2 << 16 | (uint64_t)len8 << 32;
        w = (w + 8) % DATA;
        words[w / 8] = i;
        w = (w + 8) % DATA;
        for (uint32_t k = 0; k < payload_bytes / 8; k++, w = (w + 8) % DATA)
            words[w / 8] = 0;
        words[w / 8] = (uint64_t)start << 32;
        w = (w + 8) % DATA;
    }
    r->control->write_index = w;
    return (len8 + 1) * 8;
}

/* One read with pending_send_size = pss from a ring whose free space is `free_before`. */
static uint64_t signals_for_read(uint32_t pss, uint32_t *free_before, uint32_t *freed)
{
    reset();
    uint32_t packet = host_writes(DATA / 128 - 1, 120 - 24); /* 31 packets of 120 bytes */
    *free_before = DATA - (DATA / 128 - 1) * packet;
    *freed = packet;
    ch.recv.control->pending_send_size = pss;
    uint8_t buf[256];
    struct vmbus_packet_info info;
    int rc = vmbus_recv(&ch, &info, buf, sizeof(buf));
    CHECK(rc == 0, "read: rc 0x%x", rc);
    return stub_signals;
}

static void reader_edges(void)
{
    uint32_t before, freed;
    signals_for_read(0, &before, &freed);
    CHECK(stub_signals == 0, "no pending_send_size, no signal");

    signals_for_read(before, &before, &freed);
    CHECK(stub_signals == 1, "free %u == pss before, %u > pss after: signal", before, before + freed);

    signals_for_read(before + freed - 8, &before, &freed);
    CHECK(stub_signals == 1, "free rises from below pss to 8 above it: signal");

    signals_for_read(before + freed, &before, &freed);
    CHECK(stub_signals == 0, "free == pss after the read is not enough (Linux): no signal");

    signals_for_read(before - 8, &before, &freed);
    CHECK(stub_signals == 0, "free was already above pss: no signal");

    signals_for_read(before + 3, &before, &freed);
    CHECK(stub_signals == 1, "a pss that is not a multiple of 8 is compared as it is: signal");

    reset();
    host_writes(1, 64);
    ch.recv.control->pending_send_size = 100;
    ch.recv.control->feature_bits = 0;
    uint8_t buf[128];
    struct vmbus_packet_info info;
    vmbus_recv(&ch, &info, buf, sizeof(buf));
    CHECK(stub_signals == 0, "the writer's ring without the pending_send_size feature: no signal");
}

int main(void)
{
    writer_edges();
    writer_pending_size();
    reader_edges();
    if (failures) {
        printf("ring_edges: %d failure(s)\n", failures);
        return 1;
    }
    printf("ring_edges: guest ring flow control follows Linux's rule at every edge\n");
    return 0;
}
