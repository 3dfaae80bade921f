/* disk-hotplug - sees a disk arrive on and leave a running VM's SCSI
 * controller, as a guest's SCSI layer does after a hot add / remove.
 *
 * 1. Opens the first SCSI controller (every VM has one, with or without
 *    disks), notes the LUNs REPORT LUNS lists, posts phase 1 to the root, then
 *    asks REPORT LUNS until a LUN not listed at the start appears: the hot LUN
 *    (the host announces a change with a unit attention and a bus rescan;
 *    asking is how the guest learns which LUNs are there).
 * 2. Sizes the hot LUN (READ CAPACITY 16, a unit attention answered by asking
 *    again), writes the seeded disk pattern over its first WRITE_BYTES, reads
 *    them back and checks every byte; posts phase 2 with the result.
 * 3. Reads the hot LUN until a read fails (the host removed the disk) and
 *    posts phase 3 with that read's SRB status, SCSI status and sense key / ASC.
 *
 * Message to the root (type 1): {u32 phase, u32 ok, u32 srb_status,
 * u32 scsi_status, u32 sense_key, u32 asc, u64 seed, u64 blocks, u64 wrong}.
 * Exit status: 0 all phases done; 2 the data did not read back; 3 no disk or
 * a channel failure. */
#include <parvis/parvis.h>
#include <parvis/disk.h>

#define WHO "disk-hotplug"
#define RING_BYTES (64u * 1024u)
#define WRITE_BYTES (64u * 1024u)
#define MAX_LUN 64u

struct report {
    uint32_t phase, ok, srb_status, scsi_status, sense_key, asc;
    uint64_t seed, blocks, wrong;
};

static struct report out;
static uint32_t hot_block_bytes;
static uint8_t hot_lun;

static void post(uint32_t phase)
{
    out.phase = phase;
    hv_post_message(parvis_boot()->root_message_connection_id, 1, &out, sizeof(out));
    dbg_printf(WHO ": phase %u ok %u srb 0x%x scsi 0x%x sense %x/%x blocks %lu wrong %lu\n", phase,
               out.ok, out.srb_status, out.scsi_status, out.sense_key, out.asc, out.blocks, out.wrong);
}

/* Marks in `listed` the LUNs REPORT LUNS (asked through LUN 0, which needs no disk there) lists,
 * peripheral addressing: byte 1 of each 8-byte entry. False when the answer was not read (a unit
 * attention: ask again). */
static bool report_luns(struct storvsc *s, uint8_t *buf, bool listed[MAX_LUN])
{
    static struct storvsc_request r;
    memset(&r, 0, sizeof(r));
    scsi_report_luns(&r, buf, 512);
    if (storvsc_execute(s, &r) || (r.srb_status & SRB_STATUS_MASK) != SRB_STATUS_SUCCESS)
        return false;
    uint32_t bytes = ((uint32_t)buf[0] << 24) | ((uint32_t)buf[1] << 16) | ((uint32_t)buf[2] << 8) | buf[3];
    memset(listed, 0, MAX_LUN * sizeof(bool));
    for (uint32_t at = 8; at + 8 <= 8 + bytes && at + 8 <= 512; at += 8)
        if (buf[at + 1] < MAX_LUN)
            listed[buf[at + 1]] = true;
    return true;
}

/* Waits until REPORT LUNS lists a LUN that `before` did not; that LUN. */
static uint8_t await_new_lun(struct storvsc *s, uint8_t *buf, const bool before[MAX_LUN])
{
    static bool now[MAX_LUN];
    for (;;) {
        if (!report_luns(s, buf, now))
            continue;
        for (uint32_t lun = 0; lun < MAX_LUN; lun++)
            if (now[lun] && !before[lun])
                return (uint8_t)lun;
    }
}

/* One read or write of `len` bytes at LBA 0 of the hot LUN; r holds the outcome. */
static int io(struct storvsc *s, struct storvsc_request *r, bool write, uint8_t *buf, uint32_t blocks,
              uint32_t block_bytes)
{
    memset(r, 0, sizeof(*r));
    r->lun = hot_lun;
    if (write)
        scsi_write_16(r, 0, blocks, buf, blocks * block_bytes);
    else
        scsi_read_16(r, 0, blocks, buf, blocks * block_bytes);
    return storvsc_execute(s, r);
}

static void note_failure(const struct storvsc_request *r)
{
    struct scsi_sense sense = {0};
    scsi_sense_decode(r->sense, sizeof(r->sense), &sense);
    out.srb_status = r->srb_status & SRB_STATUS_MASK;
    out.scsi_status = r->scsi_status;
    out.sense_key = sense.key;
    out.asc = sense.asc;
}

static bool capacity(struct storvsc *s, uint8_t *buf, struct scsi_capacity *cap)
{
    static struct storvsc_request r;
    for (int attempt = 0; attempt < 4; attempt++) {
        memset(&r, 0, sizeof(r));
        r.lun = hot_lun;
        scsi_read_capacity_16(&r, buf);
        if (!storvsc_execute(s, &r) && (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS) {
            scsi_capacity_16_decode(buf, cap);
            return cap->block_bytes != 0 && cap->block_bytes <= WRITE_BYTES;
        }
    }
    return false;
}

static int write_and_check(struct storvsc *s, uint8_t *buf)
{
    static struct storvsc_request r;
    struct scsi_capacity cap;
    if (!capacity(s, buf, &cap))
        return 3;
    uint32_t blocks = WRITE_BYTES / cap.block_bytes;
    hot_block_bytes = cap.block_bytes;
    out.blocks = cap.blocks;
    out.seed = disk_pattern_seed();
    disk_pattern_fill(buf, 0, WRITE_BYTES, out.seed);
    if (io(s, &r, true, buf, blocks, cap.block_bytes) || (r.srb_status & SRB_STATUS_MASK) != SRB_STATUS_SUCCESS) {
        note_failure(&r);
        return 2;
    }
    memset(buf, 0, WRITE_BYTES);
    if (io(s, &r, false, buf, blocks, cap.block_bytes) || (r.srb_status & SRB_STATUS_MASK) != SRB_STATUS_SUCCESS) {
        note_failure(&r);
        return 2;
    }
    int64_t first = disk_pattern_check(buf, 0, WRITE_BYTES, out.seed);
    out.wrong = first < 0 ? 0 : WRITE_BYTES - (uint64_t)first;
    return first < 0 ? 0 : 2;
}

int main(void)
{
    static struct vmbus_connection c;
    static struct storvsc s;
    static struct vmbus_offer offer;
    static bool at_start[MAX_LUN];
    int rc = storvsc_find(&c, &offer);
    if (!rc)
        rc = storvsc_open(&c, &offer, &s, RING_BYTES);
    uint8_t *buf = rc ? 0 : page_alloc_contiguous(WRITE_BYTES / HV_PAGE_SIZE);
    dbg_printf(WHO ": SCSI controller: status 0x%x, relid %u\n", (unsigned)rc, offer.child_relid);
    if (!buf)
        return 3;
    while (!report_luns(&s, buf, at_start))
        ;
    post(1);
    hot_lun = await_new_lun(&s, buf, at_start);
    rc = write_and_check(&s, buf);
    out.ok = rc == 0;
    post(2);
    if (rc)
        return rc;
    static struct storvsc_request r;
    while (!io(&s, &r, false, buf, 1, hot_block_bytes) && (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS)
        ;
    note_failure(&r);
    post(3);
    storvsc_close(&s);
    vmbus_disconnect(&c);
    return 0;
}
