/* storage-hostile - misbehaves on the synthetic SCSI channel and checks that
 * each abuse gets the right answer and leaves the device usable.
 *
 * For each scenario one line:
 *   storage-hostile: <scenario>: status 0x.. srb 0x.. scsi 0x.. sense k/asc/ascq
 *     transferred n -> ok | WRONG (<what was expected>); device usable: yes|no
 * "usable" = a pattern written to the scratch block and read back intact
 * afterwards. Guard pages around every buffer are checked after each scenario
 * (nothing outside the guest's buffers is touched). The last line is
 * "storage-hostile: N scenarios, M wrong, K unusable, verdict PASS|FAIL".
 * Exit status: 0 all right; 1 a wrong answer or a touched guard; 3 no disk or
 * the device stopped answering. Every wait is bounded (3 s). */
#include <parvis/parvis.h>
#include <parvis/disk.h>
#include "hostile.h"

#define RING_BYTES (64u * 1024u)
#define WAIT_TICKS 30000000ull /* 3 s */

struct hostile h;

static const struct scenario *const scenarios[] = {
    &lba_past_end,      &write_straddling_end, &buffer_shorter_than_transfer,
    &buffer_longer_than_transfer, &range_beyond_pfns, &pfn_beyond_ram, &page_count_overflow,
    &range_count_beyond_packet, &unknown_operation, &unknown_opcode, &bad_inquiry_page,
    &cdb_length_too_long, &missing_lun, &flood,
};

/* The scratch block (last LBA): a fresh pattern written and read back. */
static bool device_usable(uint64_t round)
{
    uint64_t lba = h.x.d.blocks - 1, at = lba * h.x.d.block_bytes;
    static struct storvsc_request r;
    memset(&r, 0, sizeof(r));
    disk_pattern_fill(h.data, at, h.x.d.block_bytes, round);
    scsi_write_16(&r, lba, 1, h.data, h.x.d.block_bytes);
    if (storvsc_execute(&h.x.s, &r) || (r.srb_status & SRB_STATUS_MASK) != SRB_STATUS_SUCCESS)
        return false;
    memset(h.data, 0, h.x.d.block_bytes);
    memset(&r, 0, sizeof(r));
    scsi_read_16(&r, lba, 1, h.data, h.x.d.block_bytes);
    if (storvsc_execute(&h.x.s, &r) || (r.srb_status & SRB_STATUS_MASK) != SRB_STATUS_SUCCESS)
        return false;
    return disk_pattern_check(h.data, at, h.x.d.block_bytes, round) < 0;
}

static void print(const struct scenario *sc, const struct outcome *o, bool ok, bool usable)
{
    dbg_printf("storage-hostile: %s: status 0x%x srb 0x%x scsi 0x%x sense %x/%x/%x transferred %u "
               "-> %s%s%s%s; device usable: %s\n",
               sc->name, o->status, o->srb_status, o->scsi_status, o->sense.key, o->sense.asc,
               o->sense.ascq, o->transferred, ok ? "ok" : "WRONG (expected ", ok ? "" : sc->expect,
               ok ? "" : ")", o->note[0] ? o->note : "", usable ? "yes" : "no");
}

int main(void)
{
    h.x.c.wait_ticks = WAIT_TICKS;
    uint8_t *pages = disk_session_start(&h.x, RING_BYTES, HOSTILE_DATA_PAGES + 2, 64,
                                        "storage-hostile");
    if (!pages)
        return 3;
    hostile_buffers_init(pages);
    uint32_t wrong = 0, unusable = 0, count = sizeof(scenarios) / sizeof(scenarios[0]);
    for (uint32_t i = 0; i < count; i++) {
        struct outcome o;
        memset(&o, 0, sizeof(o));
        bool ok = scenarios[i]->run(&o);
        if (!hostile_guards_intact()) {
            ok = false;
            fmt_snprintf(o.note, sizeof(o.note), " [a guard page was written]");
        }
        bool usable = device_usable(i + 1);
        wrong += !ok;
        unusable += !usable;
        print(scenarios[i], &o, ok, usable);
        if (!usable)
            break;
    }
    dbg_printf("storage-hostile: %u scenarios, %u wrong, %u unusable, %lu unmatched completions, "
               "verdict %s\n",
               count, wrong, unusable, h.x.s.unmatched_completions,
               wrong || unusable ? "FAIL" : "PASS");
    if (!unusable)
        disk_session_end(&h.x);
    return unusable ? 3 : wrong ? 1 : 0;
}
