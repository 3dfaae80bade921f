/*
 * parvis/vmbus.h - a small VMBus client for Parvis guests (polling mode).
 *
 * Protocol: ../shared/reference/hyperv-abi-vmbus.md §6 (control messages over
 * SynIC SINT 2) and §7 (ring buffers); Parvis specifics: docs/vmbus.md. All wire
 * structures and constants come from the generated parvis/hvabi.h.
 *
 * Return values: 0 = success; a VMBUS_ERR_* value for a local failure; any
 * other value is the status the host reported (GPADL_CREATED.creation_status,
 * OPENCHANNEL_RESULT.status, an NTSTATUS such as 0xC0000236) cast to int.
 * VMBUS_ERR_* live in the NTSTATUS "customer" range 0xE0000000, which hosts
 * never send, so the two cannot be confused.
 *
 * Waits: with c->wait_ticks == 0 a wait is `hlt` + poll (hlt returns when the
 * SynIC has work) and never gives up. With wait_ticks != 0 a wait spins on the
 * hypervisor's reference time (100 ns ticks) instead of halting, because a halted
 * VP without SynIC work would never wake up to notice the deadline.
 *
 * Only VP 0 runs this code; nothing here is thread-safe.
 */
#ifndef PARVIS_SDK_VMBUS_H
#define PARVIS_SDK_VMBUS_H

#include <stdbool.h>
#include <stdint.h>
#include <parvis/hvabi.h>

#define VMBUS_ERR_BASE ((int)0xE0000000)
#define VMBUS_ERR_TIMEOUT (VMBUS_ERR_BASE + 1)      /* no answer within wait_ticks */
#define VMBUS_ERR_EMPTY (VMBUS_ERR_BASE + 2)        /* vmbus_recv: no packet */
#define VMBUS_ERR_NO_MEMORY (VMBUS_ERR_BASE + 3)    /* page_alloc failed or not contiguous */
#define VMBUS_ERR_INVALID (VMBUS_ERR_BASE + 4)      /* bad argument (size, alignment) */
#define VMBUS_ERR_TOO_BIG (VMBUS_ERR_BASE + 5)      /* packet can never fit the ring */
#define VMBUS_ERR_TOO_SMALL (VMBUS_ERR_BASE + 6)    /* vmbus_recv: cap < payload; packet kept */
#define VMBUS_ERR_RING_CORRUPT (VMBUS_ERR_BASE + 7) /* host index/length out of range */
#define VMBUS_ERR_REFUSED (VMBUS_ERR_BASE + 8)      /* no protocol version accepted */
#define VMBUS_ERR_NOT_OPEN (VMBUS_ERR_BASE + 9)
/* A failed hypercall: VMBUS_ERR_HYPERCALL | HV_STATUS. */
#define VMBUS_ERR_HYPERCALL ((int)0xE0010000)

/* Unexpected control messages (offers arriving late, rescinds, answers nobody
 * waits for yet) are kept here until someone asks for them. */
#define VMBUS_CONTROL_QUEUE_LEN 16

/* One control message as received (a union, so reading it through the wire
 * structs is well defined under strict aliasing). */
struct vmbus_control_message {
    uint32_t length; /* bytes in msg, header included */
    uint32_t reserved;
    union {
        struct vmbus_channel_message_header header;
        struct vmbus_offer_channel offer;
        struct vmbus_rescind_channel_offer rescind;
        struct vmbus_version_response version_response;
        struct vmbus_open_channel_result open_result;
        struct vmbus_gpadl_created gpadl_created;
        struct vmbus_gpadl_torndown gpadl_torndown;
        uint8_t bytes[HV_MESSAGE_MAX_PAYLOAD];
        uint64_t words[HV_MESSAGE_MAX_PAYLOAD / 8];
    } msg;
};

struct vmbus_connection {
    uint32_t version;      /* negotiated VMBUS_VERSION_*, 0 before vmbus_connect */
    uint32_t msg_conn_id;  /* connection id for control messages after INITIATE_CONTACT */
    uint32_t next_gpadl;   /* next GPADL handle (unique per connection) */
    uint64_t wait_ticks;   /* bound for every wait in 100 ns ticks; 0 = wait forever */
    uint32_t queued;       /* entries in queue[0..queued) */
    uint32_t dropped;      /* unexpected messages dropped because the queue was full */
    struct vmbus_control_message queue[VMBUS_CONTROL_QUEUE_LEN];
};

/* What the guest keeps of an OFFERCHANNEL. */
struct vmbus_offer {
    struct vmbus_guid interface_type;
    struct vmbus_guid interface_instance;
    uint32_t child_relid;
    uint32_t connection_id; /* guest -> host signals: HvCallSignalEvent(connection_id, 0) */
    uint16_t channel_flags;
    uint16_t sub_channel_index;
    uint8_t monitor_id;
    uint8_t monitor_allocated;
    uint16_t is_dedicated_interrupt;
};

/* One direction of a channel: control page + data area (both in the GPADL). */
struct vmbus_ring {
    volatile struct vmbus_ring_control *control;
    uint8_t *data;
    uint32_t size;  /* data bytes, multiple of 4096 */
    uint32_t index; /* our own index: write_index (send ring) or read_index (recv ring) */
};

struct vmbus_channel {
    struct vmbus_connection *conn;
    uint32_t relid;
    uint32_t connection_id;
    uint32_t gpadl;
    bool open;
    struct vmbus_ring send; /* guest -> host, first in the GPADL */
    struct vmbus_ring recv; /* host -> guest */
    /* counters, for the curious */
    uint64_t signals_sent;
    uint64_t space_waits;
};

struct vmbus_packet_info {
    uint16_t type;           /* VMBUS_PACKET_TYPE_* */
    uint16_t flags;
    uint64_t transaction_id;
    uint32_t header_bytes;   /* offset8 * 8: descriptor + type-specific header */
    uint32_t payload_bytes;  /* (len8 - offset8) * 8: includes up to 7 padding bytes */
};

/* ---- connection (vmbus.c) ----------------------------------------------- */

/* Enables SINT 2 (polling; SIMP + SIEFP), negotiates 5.3, 5.2, 5.1, 5.0 on
 * connection 4 (msg_sint 2, target_vcpu 0), then 4.1, 4.0 on connection 1.
 * Keeps c->wait_ticks as the caller set it (zero-initialise c first). */
int vmbus_connect(struct vmbus_connection *c);

/* REQUESTOFFERS, then collects OFFERCHANNELs until ALLOFFERS_DELIVERED. Stores
 * at most max offers; returns the number stored (>= 0) or a VMBUS_ERR_*. */
int vmbus_request_offers(struct vmbus_connection *c, struct vmbus_offer *out, int max);

/* First offer with this interface type (sub_channel_index 0), or NULL. */
const struct vmbus_offer *vmbus_find_offer(const struct vmbus_offer *offers, int count,
                                           const struct vmbus_guid *interface_type);
bool vmbus_guid_equal(const struct vmbus_guid *a, const struct vmbus_guid *b);
/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" + NUL into buf[37]. */
void vmbus_guid_format(const struct vmbus_guid *g, char buf[37]);

/* GPADL over the page-aligned buffer [buf, buf + bytes) (bytes a multiple of
 * 4096): GPADL_HEADER + GPADL_BODYs, waits for GPADL_CREATED and returns its
 * creation_status. *handle receives the (new, unique) handle in any case. */
int vmbus_gpadl_create(struct vmbus_connection *c, uint32_t relid, void *buf, uint32_t bytes,
                       uint32_t *handle);
/* GPADL_TEARDOWN, waits for GPADL_TORNDOWN. */
int vmbus_gpadl_teardown(struct vmbus_connection *c, uint32_t relid, uint32_t handle);

/* Allocates [send control + send_ring_bytes][recv control + recv_ring_bytes]
 * contiguously (ring sizes are data bytes, multiples of 4096, >= 4096), GPADL
 * over both, OPENCHANNEL (open_id = relid, target_vp 0), waits for
 * OPENCHANNEL_RESULT and returns its status. Ring pages are never freed. */
int vmbus_channel_open(struct vmbus_connection *c, const struct vmbus_offer *o,
                       struct vmbus_channel *ch, uint32_t send_ring_bytes,
                       uint32_t recv_ring_bytes);
/* vmbus_channel_open on the caller's page-aligned, contiguous memory of
 * 2 + (send_ring_bytes + recv_ring_bytes) / 4096 pages (both control pages are
 * zeroed), so a guest that opens and closes repeatedly can reuse its pages. */
int vmbus_channel_open_on(struct vmbus_connection *c, const struct vmbus_offer *o,
                          struct vmbus_channel *ch, void *pages, uint32_t send_ring_bytes,
                          uint32_t recv_ring_bytes);
/* CLOSECHANNEL (no reply), then tears the ring GPADL down. */
int vmbus_channel_close(struct vmbus_channel *ch);

/* UNLOAD, waits for UNLOAD_RESPONSE. */
int vmbus_disconnect(struct vmbus_connection *c);

/* ---- control messages (vmbus.c), for tests and unusual callers ----------- */

/* Posts a control message (len bytes, header included) on c->msg_conn_id.
 * Returns 0 or VMBUS_ERR_HYPERCALL | status; no retries beyond the SDK's. */
int vmbus_post(struct vmbus_connection *c, const void *msg, uint32_t len);
/* Waits for a control message of `type`; when key_offset != 0 the u32 at that
 * byte offset must equal key. Other messages are queued. Returns 0 or
 * VMBUS_ERR_TIMEOUT. */
int vmbus_wait_control(struct vmbus_connection *c, uint32_t type, uint32_t key_offset,
                       uint32_t key, struct vmbus_control_message *out);
/* Reference time in 100 ns ticks (HV_REGISTER_TIME_REF_COUNT); 0 if unreadable. */
uint64_t vmbus_now(void);

/* ---- ring buffers (vmbus_ring.c) ----------------------------------------- */

/* Writes one packet (descriptor, payload, zero padding to 8, trailer), full
 * barrier, publishes write_index, signals the host per §7.5. Waits for space
 * with pending_send_size when the ring is full (does not drain the recv ring). */
int vmbus_send(struct vmbus_channel *ch, uint16_t type, uint16_t flags, uint64_t txid,
               const void *payload, uint32_t len);
/* vmbus_send with a type-specific header between the descriptor and the
 * payload (offset8 = (16 + header_len) / 8): the GPA-direct range list of a
 * DATA_USING_GPA_DIRECT packet, say. header_len is a multiple of 8; the header
 * bytes are sent as given (a test guest may send malformed ones). */
int vmbus_send_with_header(struct vmbus_channel *ch, uint16_t type, uint16_t flags, uint64_t txid,
                           const void *header, uint32_t header_len, const void *payload,
                           uint32_t len);
/* Takes the next packet if there is one: payload (from offset8 * 8, padded to
 * 8 bytes) into buf. VMBUS_ERR_EMPTY when the ring is empty. */
int vmbus_recv(struct vmbus_channel *ch, struct vmbus_packet_info *info, void *buf, uint32_t cap);
/* vmbus_recv, waiting (interrupt_mask = 0, event flag relid of SINT 2) while empty. */
int vmbus_recv_wait(struct vmbus_channel *ch, struct vmbus_packet_info *info, void *buf,
                    uint32_t cap);
/* Bytes the host has published and we have not read yet (0 if corrupt). */
uint32_t vmbus_ring_bytes_to_read(const struct vmbus_ring *r);
/* HvCallSignalEvent(ch->connection_id, 0). */
int vmbus_signal(struct vmbus_channel *ch);

/* ---- the root's echo test device (vmbus_echo.c) ------------------------- */

/* The largest payload vmbus_echo_check sends. */
#define VMBUS_ECHO_CHECK_MAX 4096u

/* vmbus_connect, vmbus_request_offers, and the first offer of the echo device
 * class (VMBUS_DEVICE_ECHO_GUID) into *echo. Returns 0 or the failure. */
int vmbus_connect_to_echo(struct vmbus_connection *c, struct vmbus_offer *echo);
/* vmbus_connect_to_echo, then vmbus_channel_open with `ring_bytes` per
 * direction. Returns 0 or the failure. */
int vmbus_open_echo(struct vmbus_connection *c, struct vmbus_offer *echo, struct vmbus_channel *ch,
                    uint32_t ring_bytes);
/* One round trip through the echo device: `len` (8..VMBUS_ECHO_CHECK_MAX)
 * bytes of a pattern derived from txid, checked word by word, the transaction
 * id included. 0 when it came back intact, VMBUS_ERR_INVALID when it came back
 * wrong, else the send or receive failure (bounded by c->wait_ticks). */
int vmbus_echo_check(struct vmbus_channel *ch, uint64_t txid, uint32_t len);

#endif
