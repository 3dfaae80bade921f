/* hostile.h - the storage-hostile guest's scenarios (scenarios.c) and state. */
#ifndef STORAGE_HOSTILE_H
#define STORAGE_HOSTILE_H

#include <parvis/disk.h>

struct outcome {
    uint32_t status;
    uint8_t srb_status;
    uint8_t scsi_status;
    uint32_t transferred;
    struct scsi_sense sense;
    char note[96];
};

struct scenario {
    const char *name;
    const char *expect; /* printed when the answer is wrong */
    bool (*run)(struct outcome *o);
};

struct hostile {
    struct disk_session x;
    uint8_t *data; /* HOSTILE_DATA_PAGES pages between two guard pages */
};
extern struct hostile h;

#define HOSTILE_DATA_PAGES 4u

/* Sets h.data up inside the HOSTILE_DATA_PAGES + 2 pages at `pages`. */
void hostile_buffers_init(uint8_t *pages);
bool hostile_guards_intact(void);
/* The completion's fields into o (sense decoded). */
void hostile_take(struct outcome *o, const struct storvsc_request *r);
/* Not SUCCESS, at the packet (NTSTATUS) or the SRB level. */
bool hostile_failed(const struct outcome *o);

extern const struct scenario lba_past_end, write_straddling_end, buffer_shorter_than_transfer,
    buffer_longer_than_transfer, range_beyond_pfns, pfn_beyond_ram, page_count_overflow,
    range_count_beyond_packet, unknown_operation, unknown_opcode, bad_inquiry_page,
    cdb_length_too_long, missing_lun, flood;

#endif
