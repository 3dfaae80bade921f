/*
 * parvis/ic.h - Hyper-V integration services (ICs) for Parvis guests: the
 * guest side of the IC framing on a VMBus pipe channel, version negotiation,
 * and a small SHA-256.
 *
 * Framing (../shared/reference/hyperv-abi-vmbus.md §9): every IC message is an
 * in-band VMBus packet whose payload is
 *     vmbus_pipe_header {type IC_PIPE_PACKET_DATA, length} (8 B)
 *     struct ic_message_header (20 B, at IC_HEADER_OFFSET)
 *     body (message_size bytes; layout per message type)
 * The host sends requests (flags TRANSACTION|REQUEST); the guest answers in
 * the same buffer with flags TRANSACTION|RESPONSE, a status (HRESULT) and the
 * VMBus transaction id of the request. The first exchange on every channel is
 * NEGOTIATE. All wire structures and IC_* constants come from parvis/hvabi.h.
 *
 * Only VP 0 runs this code; nothing here is thread-safe.
 */
#ifndef PARVIS_SDK_IC_H
#define PARVIS_SDK_IC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <parvis/hvabi.h>
#include <parvis/vmbus.h>

/* Ring data bytes per direction for an IC channel (Linux uses 16 KiB too). */
#define IC_RING_BYTES (16u * 1024u)

/* ic_recv: a packet that is not a well-formed IC message (it was consumed). */
#define IC_ERR_MALFORMED (VMBUS_ERR_BASE + 0x100)

/* Receive buffer: a whole recv ring, so no packet the host can fit into the
 * ring is ever too big for it (vmbus_recv keeps a packet that does not fit). */
#define IC_BUFFER_BYTES IC_RING_BYTES

/* Bytes of pipe header + IC header in front of the body. */
#define IC_BODY_OFFSET ((uint32_t)IC_HEADER_OFFSET + (uint32_t)sizeof(struct ic_message_header))

/* One IC service the guest knows: the VMBus device class it is offered under,
 * its IC message type and the guest's versions, newest first. */
struct ic_service {
    const char *name;
    uint16_t message_type; /* IC_MSG_* */
    struct vmbus_guid device_class;
    const struct ic_version *versions;
    uint32_t version_count;
};

/* Heartbeat, shutdown, time sync, KVP, file copy (in this order). */
#define IC_SERVICE_COUNT 5
extern const struct ic_service ic_services[IC_SERVICE_COUNT];
/* Framework versions the guest accepts, newest first: 3.0, 1.0. */
extern const struct ic_version ic_framework_versions[2];

/* An open IC channel. */
struct ic_channel {
    const struct ic_service *service;
    struct vmbus_channel ch;
    bool open;       /* opened, not closed or rescinded */
    bool negotiated; /* a NEGOTIATE was answered with a match */
    struct ic_version framework; /* negotiated (valid when negotiated) */
    struct ic_version version;   /* negotiated message version */
    uint64_t requests;           /* well-formed requests received */
    uint64_t malformed;          /* packets dropped by ic_recv */
};

/* One received message. The packet payload starts 4 bytes into `storage` so
 * that the body (payload offset 28) is 8-byte aligned for the wire structs. */
struct ic_message {
    struct vmbus_packet_info info;
    uint8_t *payload;                 /* storage + 4 */
    struct vmbus_pipe_header *pipe;   /* payload */
    struct ic_message_header *hdr;    /* payload + IC_HEADER_OFFSET */
    uint8_t *body;                    /* payload + IC_BODY_OFFSET */
    uint32_t packet_len;  /* valid payload bytes: 8 + pipe->length (<= info.payload_bytes) */
    uint32_t body_len;    /* valid body bytes: packet_len - IC_BODY_OFFSET */
    uint8_t storage[IC_BUFFER_BYTES + 8] __attribute__((aligned(8)));
};

/* Opens an offered IC channel with IC_RING_BYTES rings each way. */
int ic_open(struct vmbus_connection *c, const struct vmbus_offer *o,
            const struct ic_service *service, struct ic_channel *ic);
/* Closes the channel (CLOSECHANNEL, GPADL teardown) if it is open. */
int ic_close(struct ic_channel *ic);

/* Takes the next packet off the channel, without waiting. Returns 0 with *m
 * filled in, VMBUS_ERR_EMPTY, IC_ERR_MALFORMED (not an in-band packet, pipe
 * header or lengths out of range: consumed and counted) or a VMBUS_ERR_*.
 * Every length is checked against the packet before anything is read. */
int ic_recv(struct ic_channel *ic, struct ic_message *m);

/* The body as an object of `need` bytes. When the host sent fewer bytes the
 * missing tail is zeroed in our buffer (nothing beyond the packet is read)
 * and the answer grows to cover it. NULL only if need exceeds the buffer. */
void *ic_body(struct ic_message *m, uint32_t need);

/* Answers m in place: flags TRANSACTION|RESPONSE, the given status, same
 * VMBus transaction id, in-band packet of the (possibly grown) length. */
int ic_respond(struct ic_channel *ic, struct ic_message *m, uint32_t status);

/* Answers a NEGOTIATE request as Linux vmbus_prep_negotiate_resp: first
 * guest framework version (newest first) present in the host's framework list,
 * likewise for the service's message versions; writes counts 1/1, the two
 * chosen versions and message_size 16. No match (or counts > 100, or a list
 * longer than the packet): counts 0/0 and status IC_E_FAIL. Records the result
 * in ic and sends the answer. Returns ic_respond's result. */
int ic_negotiate(struct ic_channel *ic, struct ic_message *m);

/* True when the message is a request (REQUEST set, RESPONSE clear). */
static inline bool ic_is_request(const struct ic_message *m)
{
    return (m->hdr->flags & IC_FLAG_REQUEST) && !(m->hdr->flags & IC_FLAG_RESPONSE);
}

/* ---- UTF-16LE helpers for KVP/file-copy strings ------------------------ */

/* Units before the first NUL among the first max_units (unaligned-safe). */
uint32_t ic_utf16_len(const void *s, uint32_t max_units);
/* Writes ASCII `a` as UTF-16LE plus NUL into dst (cap bytes). Returns the bytes
 * written including the NUL (0 if it does not fit). */
uint32_t ic_utf16_from_ascii(void *dst, uint32_t cap, const char *a);
/* Lossy UTF-16LE -> ASCII for log lines ('?' for non-ASCII), NUL-terminated. */
void ic_utf16_to_ascii(char *dst, uint32_t cap, const void *s, uint32_t max_units);

/* ---- SHA-256 (lib/sha256.c; FIPS 180-4) -------------------------------- */

#define SHA256_DIGEST_BYTES 32u
struct sha256_ctx {
    uint32_t h[8];
    uint64_t bytes;       /* message bytes so far */
    uint32_t fill;        /* bytes in block */
    uint8_t block[64];
};
void sha256_init(struct sha256_ctx *s);
void sha256_update(struct sha256_ctx *s, const void *data, size_t len);
void sha256_final(struct sha256_ctx *s, uint8_t out[SHA256_DIGEST_BYTES]);
void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_BYTES]);

#endif
