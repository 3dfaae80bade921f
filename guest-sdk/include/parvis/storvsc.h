/*
 * parvis/storvsc.h - the guest side of synthetic SCSI over VMBus (storvsc).
 *
 * Protocol: ../shared/reference/hyperv-abi-vmbus.md §10 (vstor_packet,
 * vmscsi_request with the Windows 8 extension, operations, SRB status, NTSTATUS)
 * and §7.3 (DATA_USING_GPA_DIRECT). Linux's drivers/scsi/storvsc_drv.c is the
 * reference client: the same initialization (BEGIN, QUERY_PROTOCOL_VERSION
 * 6.2 / 6.0 / 5.1 newest first, QUERY_PROPERTIES, END), 64-byte packets, sense
 * buffer 0x14, data in one GPA-direct range per request. The wire layouts are
 * defined here once, pinned by static asserts to the published sizes.
 *
 * Requests are asynchronous: storvsc_submit puts one on the ring (many may be
 * outstanding), storvsc_poll / storvsc_wait take completions in whatever order
 * the host sends them and match them by transaction id (slot | generation << 32).
 * Only VP 0 runs this code; nothing here is thread-safe.
 */
#ifndef PARVIS_SDK_STORVSC_H
#define PARVIS_SDK_STORVSC_H

#include <stdbool.h>
#include <stdint.h>
#include <parvis/vmbus.h>

/* ---- wire: vstor_packet (§10.1) -------------------------------------------- */

#define STORVSC_VERSION_WIN8 0x0501u
#define STORVSC_VERSION_WIN8_1 0x0600u
#define STORVSC_VERSION_WIN10 0x0602u

#define VSTOR_OPERATION_COMPLETE_IO 1u
#define VSTOR_OPERATION_REMOVE_DEVICE 2u
#define VSTOR_OPERATION_EXECUTE_SRB 3u
#define VSTOR_OPERATION_RESET_LUN 4u
#define VSTOR_OPERATION_RESET_ADAPTER 5u
#define VSTOR_OPERATION_RESET_BUS 6u
#define VSTOR_OPERATION_BEGIN_INITIALIZATION 7u
#define VSTOR_OPERATION_END_INITIALIZATION 8u
#define VSTOR_OPERATION_QUERY_PROTOCOL_VERSION 9u
#define VSTOR_OPERATION_QUERY_PROPERTIES 10u
#define VSTOR_OPERATION_ENUMERATE_BUS 11u
#define VSTOR_OPERATION_FCHBA_DATA 12u
#define VSTOR_OPERATION_CREATE_SUB_CHANNELS 13u

#define VSTOR_FLAG_REQUEST_COMPLETION 0x1u

/* vmscsi_request.data_in */
#define VSTOR_DATA_OUT 0u /* write: guest -> disk */
#define VSTOR_DATA_IN 1u  /* read: disk -> guest */
#define VSTOR_DATA_NONE 2u

#define VSTOR_CDB_MAX 16u
#define VSTOR_SENSE_BYTES 0x14u /* protocol >= 5.1 (0x12 before) */

/* srb_flags (Windows 8 extension) */
#define SRB_FLAGS_DISABLE_SYNCH_TRANSFER 0x00000008u
#define SRB_FLAGS_DATA_IN 0x00000040u
#define SRB_FLAGS_DATA_OUT 0x00000080u

/* srb_status: low 6 bits status, 0x40 queue frozen, 0x80 autosense valid */
#define SRB_STATUS_MASK 0x3fu
#define SRB_STATUS_QUEUE_FROZEN 0x40u
#define SRB_STATUS_AUTOSENSE_VALID 0x80u
#define SRB_STATUS_PENDING 0x00u
#define SRB_STATUS_SUCCESS 0x01u
#define SRB_STATUS_ABORTED 0x02u
#define SRB_STATUS_ERROR 0x04u
#define SRB_STATUS_BUSY 0x05u
#define SRB_STATUS_INVALID_REQUEST 0x06u
#define SRB_STATUS_NO_DEVICE 0x08u
#define SRB_STATUS_DATA_OVERRUN 0x12u
#define SRB_STATUS_BAD_SRB_BLOCK_LENGTH 0x15u
#define SRB_STATUS_INVALID_LUN 0x20u
#define SRB_STATUS_INVALID_TARGET_ID 0x21u
#define SRB_STATUS_BAD_FUNCTION 0x22u

/* NTSTATUS in vstor_packet.status */
#define VSTOR_STATUS_SUCCESS 0x00000000u
#define VSTOR_STATUS_UNSUCCESSFUL 0xC0000001u
#define VSTOR_STATUS_INVALID_PARAMETER 0xC000000Du
#define VSTOR_STATUS_INVALID_DEVICE_REQUEST 0xC0000010u
#define VSTOR_STATUS_REVISION_MISMATCH 0xC0000059u
#define VSTOR_STATUS_INVALID_DEVICE_STATE 0xC0000184u
#define VSTOR_STATUS_IO_DEVICE_ERROR 0xC0000185u

#define VSTOR_PROPERTY_SUPPORTS_MULTI_CHANNEL 0x1u

struct vmscsi_win8_extension {
    uint16_t reserve;
    uint8_t queue_tag;
    uint8_t queue_action;
    uint32_t srb_flags;
    uint32_t time_out_value;
    uint32_t queue_sort_key;
} __attribute__((packed));

struct vmscsi_request {
    uint16_t length;
    uint8_t srb_status;
    uint8_t scsi_status;
    uint8_t port_number;
    uint8_t path_id;
    uint8_t target_id;
    uint8_t lun;
    uint8_t cdb_length;
    uint8_t sense_info_length;
    uint8_t data_in;
    uint8_t reserved;
    uint32_t data_transfer_length;
    union {
        uint8_t cdb[VSTOR_CDB_MAX];
        uint8_t sense_data[VSTOR_SENSE_BYTES];
    };
    struct vmscsi_win8_extension win8;
} __attribute__((packed));

struct vstor_channel_properties {
    uint32_t reserved;
    uint16_t max_channel_count;
    uint16_t reserved1;
    uint32_t flags;
    uint32_t max_transfer_bytes;
    uint64_t reserved2;
} __attribute__((packed));

struct vstor_protocol_version {
    uint16_t major_minor;
    uint16_t revision;
} __attribute__((packed));

#define VSTOR_BODY_BYTES 0x34u

struct vstor_packet {
    uint32_t operation;
    uint32_t flags;
    uint32_t status;
    union {
        struct vmscsi_request srb;
        struct vstor_channel_properties properties;
        struct vstor_protocol_version version;
        uint16_t sub_channel_count;
        uint8_t body[VSTOR_BODY_BYTES];
    };
} __attribute__((packed));

_Static_assert(sizeof(struct vmscsi_win8_extension) == 16, "win8 extension is 16 bytes");
_Static_assert(sizeof(struct vmscsi_request) == 0x34, "vmscsi_request is 52 bytes (>= 5.1)");
_Static_assert(__builtin_offsetof(struct vmscsi_request, srb_status) == 2, "srb_status @2");
_Static_assert(__builtin_offsetof(struct vmscsi_request, lun) == 7, "lun @7");
_Static_assert(__builtin_offsetof(struct vmscsi_request, cdb_length) == 8, "cdb_length @8");
_Static_assert(__builtin_offsetof(struct vmscsi_request, data_in) == 10, "data_in @10");
_Static_assert(__builtin_offsetof(struct vmscsi_request, data_transfer_length) == 12, "length @12");
_Static_assert(__builtin_offsetof(struct vmscsi_request, cdb) == 16, "cdb @16");
_Static_assert(__builtin_offsetof(struct vmscsi_request, win8) == 36, "win8 extension @36");
_Static_assert(__builtin_offsetof(struct vmscsi_request, win8.srb_flags) == 40, "srb_flags @40");
_Static_assert(sizeof(struct vstor_channel_properties) == 24, "channel properties are 24 bytes");
_Static_assert(__builtin_offsetof(struct vstor_channel_properties, max_transfer_bytes) == 12,
               "max_transfer_bytes @12");
_Static_assert(sizeof(struct vstor_protocol_version) == 4, "protocol version is 4 bytes");
_Static_assert(sizeof(struct vstor_packet) == 64, "vstor_packet is 64 bytes (>= 5.1)");
_Static_assert(__builtin_offsetof(struct vstor_packet, srb) == 12, "body @12");

/* ---- wire: the GPA-direct header of one multi-page range (§7.3) ------------- */

/* Largest transfer one request may carry (Linux and OpenVMM: 256 KiB), and the
 * page numbers that takes when the buffer does not start on a page boundary. */
#define STORVSC_MAX_TRANSFER (256u * 1024u)
#define STORVSC_MAX_PFNS (STORVSC_MAX_TRANSFER / HV_PAGE_SIZE + 1u)

/* After the 16-byte descriptor: {reserved u32, range_count u32} then
 * {byte_count u32, byte_offset u32, pfn u64[]} (Linux vmbus_packet_mpb_array). */
struct storvsc_gpa_direct {
    struct vmbus_gpa_direct_header head;
    struct vmbus_gpa_range range;
    uint64_t pfn[STORVSC_MAX_PFNS];
};
_Static_assert(sizeof(struct vmbus_gpa_direct_header) == 8, "GPA-direct header is 8 bytes");
_Static_assert(__builtin_offsetof(struct storvsc_gpa_direct, range) == 8, "range @ packet 24");
_Static_assert(__builtin_offsetof(struct storvsc_gpa_direct, pfn) == 16, "pfns @ packet 32");

/* ---- SCSI (SPC-4 / SBC-3) --------------------------------------------------- */

#define SCSI_TEST_UNIT_READY 0x00u
#define SCSI_REQUEST_SENSE 0x03u
#define SCSI_INQUIRY 0x12u
#define SCSI_MODE_SENSE_6 0x1Au
#define SCSI_READ_CAPACITY_10 0x25u
#define SCSI_READ_10 0x28u
#define SCSI_WRITE_10 0x2Au
#define SCSI_SYNCHRONIZE_CACHE_10 0x35u
#define SCSI_UNMAP 0x42u
#define SCSI_MODE_SENSE_10 0x5Au
#define SCSI_READ_16 0x88u
#define SCSI_WRITE_16 0x8Au
#define SCSI_SYNCHRONIZE_CACHE_16 0x91u
#define SCSI_SERVICE_ACTION_IN_16 0x9Eu
#define SCSI_SAI_READ_CAPACITY_16 0x10u
#define SCSI_REPORT_LUNS 0xA0u

#define SCSI_STATUS_GOOD 0x00u
#define SCSI_STATUS_CHECK_CONDITION 0x02u

#define SCSI_SENSE_NO_SENSE 0x0u
#define SCSI_SENSE_NOT_READY 0x2u
#define SCSI_SENSE_MEDIUM_ERROR 0x3u
#define SCSI_SENSE_ILLEGAL_REQUEST 0x5u
#define SCSI_SENSE_UNIT_ATTENTION 0x6u
#define SCSI_SENSE_DATA_PROTECT 0x7u

#define SCSI_ASC_INVALID_COMMAND_OPCODE 0x20u
#define SCSI_ASC_LBA_OUT_OF_RANGE 0x21u
#define SCSI_ASC_INVALID_FIELD_IN_CDB 0x24u
#define SCSI_ASC_LUN_NOT_SUPPORTED 0x25u

/* ---- the client ----------------------------------------------------------- */

#define STORVSC_ERR_BASE (VMBUS_ERR_BASE + 0x100)
#define STORVSC_ERR_PROTOCOL (STORVSC_ERR_BASE + 1) /* a reply that is not COMPLETE_IO */
#define STORVSC_ERR_BUSY (STORVSC_ERR_BASE + 2)     /* every request slot is in use */
#define STORVSC_ERR_TOO_LONG (STORVSC_ERR_BASE + 3) /* transfer above max_transfer_bytes */
#define STORVSC_ERR_NO_DEVICE (STORVSC_ERR_BASE + 4) /* no SCSI controller offered */

/* Request slots: at most this many requests outstanding on one channel. */
#define STORVSC_SLOTS 64u

struct storvsc_request {
    /* filled by the caller (storvsc_scsi_* helpers build the CDB) */
    uint8_t target;
    uint8_t lun;
    uint8_t cdb_length;
    uint8_t direction; /* VSTOR_DATA_IN / OUT / NONE */
    uint8_t cdb[VSTOR_CDB_MAX];
    void *buf;
    uint32_t len;
    uint64_t tag; /* the caller's, untouched */
    /* filled on completion */
    bool done;
    uint32_t status; /* NTSTATUS of the packet */
    uint8_t srb_status;
    uint8_t scsi_status;
    uint32_t transferred;
    uint8_t sense[VSTOR_SENSE_BYTES];
    /* the library's */
    uint64_t txid;
};

struct storvsc {
    struct vmbus_channel ch;
    uint16_t version;
    struct vstor_channel_properties properties;
    uint32_t max_transfer; /* min(host's max_transfer_bytes, STORVSC_MAX_TRANSFER) */
    uint32_t outstanding;
    struct storvsc_request *slot[STORVSC_SLOTS];
    uint32_t generation[STORVSC_SLOTS];
    /* what the host sent that matched nothing, for the curious and for tests */
    uint64_t unmatched_completions;
    uint64_t unsolicited; /* ENUMERATE_BUS, REMOVE_DEVICE, ... */
    uint64_t malformed;   /* completions too short to hold a vstor_packet header */
};

/* vmbus_connect + vmbus_request_offers + the first SCSI controller offer
 * (VMBUS_DEVICE_SCSI_GUID) into *offer. 0, STORVSC_ERR_NO_DEVICE or the failure. */
int storvsc_find(struct vmbus_connection *c, struct vmbus_offer *offer);
/* Opens the channel with ring_bytes each way and runs the initialization. */
int storvsc_open(struct vmbus_connection *c, const struct vmbus_offer *offer, struct storvsc *s,
                 uint32_t ring_bytes);
/* Sends one initialization-phase packet (operation, body) in-band and waits
 * for its completion; *reply receives the host's vstor_packet. For tests too. */
int storvsc_control(struct storvsc *s, uint32_t operation, const void *body, uint32_t body_len,
                    struct vstor_packet *reply);
int storvsc_close(struct storvsc *s);

/* Puts r on the ring (waits only for ring space). r stays owned by the library
 * until r->done. 0, STORVSC_ERR_BUSY, STORVSC_ERR_TOO_LONG or the send failure. */
int storvsc_submit(struct storvsc *s, struct storvsc_request *r);
/* Registers r like storvsc_submit but sends the given packet as it is: any
 * packet type, any type-specific header (a multiple of 8 bytes), any payload.
 * For a guest that tests the host with malformed requests. */
int storvsc_submit_packet(struct storvsc *s, struct storvsc_request *r, uint16_t type,
                          const void *header, uint32_t header_len, const void *packet,
                          uint32_t packet_len);
/* Takes every completion the ring holds. Returns how many requests completed
 * (>= 0) or a VMBUS_ERR_*. */
int storvsc_poll(struct storvsc *s);
/* storvsc_poll, waiting until at least one request completed (bounded by
 * c->wait_ticks). Returns the number completed or a VMBUS_ERR_*. */
int storvsc_wait(struct storvsc *s);
/* storvsc_wait until r (submitted) is done. 0 or the failure. */
int storvsc_wait_for(struct storvsc *s, struct storvsc_request *r);
/* submit + wait until r is done. 0 or the failure; then look at r->srb_status. */
int storvsc_execute(struct storvsc *s, struct storvsc_request *r);

/* Builds the packet a request would send, for callers that send their own
 * (the hostile guest): the vstor_packet and the GPA-direct header of r's buffer.
 * Returns the header's byte length (0 when r has no data). */
uint32_t storvsc_build(const struct storvsc *s, const struct storvsc_request *r,
                       struct vstor_packet *p, struct storvsc_gpa_direct *g);

/* ---- SCSI command helpers: fill r's CDB, direction, buffer ----------------- */

void scsi_test_unit_ready(struct storvsc_request *r);
void scsi_inquiry(struct storvsc_request *r, bool evpd, uint8_t page, void *buf, uint16_t len);
void scsi_read_capacity_10(struct storvsc_request *r, void *buf8);
void scsi_read_capacity_16(struct storvsc_request *r, void *buf32);
void scsi_read_16(struct storvsc_request *r, uint64_t lba, uint32_t blocks, void *buf,
                  uint32_t len);
void scsi_write_16(struct storvsc_request *r, uint64_t lba, uint32_t blocks, const void *buf,
                   uint32_t len);
void scsi_read_10(struct storvsc_request *r, uint32_t lba, uint16_t blocks, void *buf, uint32_t len);
void scsi_write_10(struct storvsc_request *r, uint32_t lba, uint16_t blocks, const void *buf,
                   uint32_t len);
void scsi_synchronize_cache_10(struct storvsc_request *r);
void scsi_request_sense(struct storvsc_request *r, void *buf, uint8_t len);
void scsi_report_luns(struct storvsc_request *r, void *buf, uint32_t len);
void scsi_mode_sense_6(struct storvsc_request *r, uint8_t page, void *buf, uint8_t len);

/* Sense key / ASC / ASCQ of fixed (0x70/0x71) or descriptor (0x72/0x73)
 * format sense data; false when the bytes are neither. */
struct scsi_sense {
    uint8_t key, asc, ascq;
};
bool scsi_sense_decode(const uint8_t *sense, uint32_t len, struct scsi_sense *out);

/* READ CAPACITY (16) parameter data: last LBA and block length. */
struct scsi_capacity {
    uint64_t blocks;
    uint32_t block_bytes;
};
void scsi_capacity_16_decode(const uint8_t *buf32, struct scsi_capacity *out);

uint16_t be16(const uint8_t *p);
uint32_t be32(const uint8_t *p);
uint64_t be64(const uint8_t *p);

#endif
