/* fcopy.c - the file copy service: up to FC_MAX_FILES files in one RAM store
 * of contiguous pages. One file at a time is being written (START, WRITE...,
 * COMPLETE); a complete file's SHA-256 is published as the guest-pool KVP item
 * "fcopy:<name>:sha256" so the host can check what arrived. */
#include "icdaemon.h"

#define FC_NAME_UNITS 260u
#define FC_STORE_PAGES 512u /* 2 MiB */

struct fc_file {
    bool used;
    bool complete;
    uint16_t name[FC_NAME_UNITS]; /* UTF-16 units, no NUL */
    uint32_t name_units;
    uint64_t start;    /* offset in the store */
    uint64_t capacity; /* bytes reserved (= size once complete) */
    uint64_t size;     /* high-water mark of the writes */
    uint64_t declared; /* file_size from START */
    uint8_t digest[SHA256_DIGEST_BYTES];
};

static struct fc_file files[FC_MAX_FILES];
static int fc_active = -1;
static uint8_t *fc_store;
static uint64_t fc_store_bytes;

/* The store: as many contiguous pages as page_alloc gives, up to 2 MiB. */
static bool fc_store_ready(void)
{
    if (fc_store)
        return true;
    uint8_t *first = page_alloc();
    if (!first)
        return false;
    uint32_t n = 1;
    while (n < FC_STORE_PAGES) {
        uint8_t *p = page_alloc();
        if (p != first + (uint64_t)n * HV_PAGE_SIZE)
            break; /* exhausted or not contiguous: keep what we have */
        n++;
    }
    fc_store = first;
    fc_store_bytes = (uint64_t)n * HV_PAGE_SIZE;
    dbg_printf("icdaemon: fcopy: store of %lu KiB\n", fc_store_bytes / 1024);
    return true;
}

/* Largest free gap in the store (files never overlap). */
static uint64_t fc_largest_gap(uint64_t *start)
{
    uint64_t best = 0, best_start = 0;
    for (int c = -1; c < FC_MAX_FILES; c++) {
        uint64_t s = c < 0 ? 0 : files[c].start + files[c].capacity;
        if (c >= 0 && !files[c].used)
            continue;
        uint64_t end = fc_store_bytes;
        bool inside = false;
        for (int k = 0; k < FC_MAX_FILES; k++) {
            if (!files[k].used || files[k].capacity == 0)
                continue;
            if (files[k].start <= s && s < files[k].start + files[k].capacity)
                inside = true;
            if (files[k].start >= s && files[k].start < end)
                end = files[k].start;
        }
        if (!inside && s <= fc_store_bytes && end - s > best) {
            best = end - s;
            best_start = s;
        }
    }
    *start = best_start;
    return best;
}

static void fc_digest_key(const struct fc_file *f, uint8_t *key, uint32_t *units)
{
    uint32_t n = 0;
    static const char prefix[] = "fcopy:", suffix[] = ":sha256";
    for (const char *c = prefix; *c; c++, n++) {
        key[2 * n] = (uint8_t)*c;
        key[2 * n + 1] = 0;
    }
    for (uint32_t i = 0; i < f->name_units; i++, n++) {
        key[2 * n] = (uint8_t)f->name[i];
        key[2 * n + 1] = (uint8_t)(f->name[i] >> 8);
    }
    for (const char *c = suffix; *c; c++, n++) {
        key[2 * n] = (uint8_t)*c;
        key[2 * n + 1] = 0;
    }
    *units = n;
}

static void fc_name_ascii(const struct fc_file *f, char *out, uint32_t cap)
{
    uint8_t tmp[2 * FC_NAME_UNITS + 2];
    memcpy(tmp, f->name, 2 * f->name_units);
    tmp[2 * f->name_units] = 0;
    tmp[2 * f->name_units + 1] = 0;
    ic_utf16_to_ascii(out, cap, tmp, FC_NAME_UNITS);
}

static void fc_drop(int i, const char *why)
{
    struct fc_file *f = &files[i];
    char name[64];
    fc_name_ascii(f, name, sizeof(name));
    dbg_printf("icdaemon: fcopy: %s dropped (%s)\n", name, why);
    if (f->complete) {
        uint8_t key[IC_KVP_MAX_KEY_SIZE];
        uint32_t units;
        fc_digest_key(f, key, &units);
        kvp_delete(IC_KVP_POOL_GUEST, key, units);
    }
    memset(f, 0, sizeof(*f));
    if (fc_active == i)
        fc_active = -1;
}

static uint32_t fc_start(struct ic_message *m)
{
    struct ic_fcopy_start *s = ic_body(m, sizeof(struct ic_fcopy_start));
    uint32_t units = ic_utf16_len(s->file_name, FC_NAME_UNITS);
    /* Room for "fcopy:" + name + ":sha256" + NUL as a KVP key. */
    if (units == 0 || 2 * (units + 6 + 7 + 1) > IC_KVP_MAX_KEY_SIZE)
        return IC_INVALIDARG;
    if (fc_active >= 0)
        fc_drop(fc_active, "superseded by a new START");
    int free_slot = -1;
    for (int i = 0; i < FC_MAX_FILES; i++) {
        if (!files[i].used) {
            if (free_slot < 0)
                free_slot = i;
            continue;
        }
        if (files[i].name_units == units && memcmp(files[i].name, s->file_name, 2 * units) == 0) {
            if (!(s->copy_flags & IC_FCOPY_FLAG_OVERWRITE))
                return IC_ALREADY_EXISTS;
            fc_drop(i, "overwritten");
            if (free_slot < 0 || i < free_slot)
                free_slot = i;
        }
    }
    if (free_slot < 0 || !fc_store_ready())
        return IC_DISK_FULL;
    uint64_t start, gap = fc_largest_gap(&start);
    if (s->file_size > gap)
        return IC_DISK_FULL;
    struct fc_file *f = &files[free_slot];
    memset(f, 0, sizeof(*f));
    f->used = true;
    memcpy(f->name, s->file_name, 2 * units);
    f->name_units = units;
    f->start = start;
    f->capacity = gap;
    f->declared = s->file_size;
    fc_active = free_slot;
    char name[64];
    fc_name_ascii(f, name, sizeof(name));
    dbg_printf("icdaemon: fcopy: start %s, %lu bytes, flags 0x%x, slot %d\n", name, f->declared,
               s->copy_flags, free_slot);
    return IC_S_OK;
}

static uint32_t fc_write(struct ic_message *m)
{
    const uint32_t fixed = (uint32_t)__builtin_offsetof(struct ic_fcopy_write, data);
    struct ic_fcopy_write *w = ic_body(m, fixed);
    if (fc_active < 0)
        return IC_E_FAIL;
    if (w->size > IC_FCOPY_MAX_DATA || w->size > m->body_len - fixed)
        return IC_INVALIDARG; /* the data must be inside the packet */
    struct fc_file *f = &files[fc_active];
    if (w->offset > f->capacity || w->size > f->capacity - w->offset)
        return IC_DISK_FULL;
    memcpy(fc_store + f->start + w->offset, w->data, w->size);
    if (w->offset + w->size > f->size)
        f->size = w->offset + w->size;
    return IC_S_OK;
}

static uint32_t fc_complete(void)
{
    if (fc_active < 0)
        return IC_E_FAIL;
    struct fc_file *f = &files[fc_active];
    fc_active = -1;
    sha256(fc_store + f->start, f->size, f->digest);
    f->capacity = f->size;
    f->complete = true;

    char hex[2 * SHA256_DIGEST_BYTES + 1];
    static const char digits[] = "0123456789abcdef";
    for (uint32_t i = 0; i < SHA256_DIGEST_BYTES; i++) {
        hex[2 * i] = digits[f->digest[i] >> 4];
        hex[2 * i + 1] = digits[f->digest[i] & 15];
    }
    hex[2 * SHA256_DIGEST_BYTES] = 0;

    uint8_t key[IC_KVP_MAX_KEY_SIZE], value[2 * sizeof(hex)];
    uint32_t units;
    fc_digest_key(f, key, &units);
    uint32_t vs = ic_utf16_from_ascii(value, sizeof(value), hex);
    uint32_t st = kvp_set(IC_KVP_POOL_GUEST, key, units, IC_KVP_REG_SZ, value, vs);

    char name[64];
    fc_name_ascii(f, name, sizeof(name));
    dbg_printf("icdaemon: fcopy: complete %s: %lu bytes (declared %lu), sha256 %s%s\n", name,
               f->size, f->declared, hex, st == IC_S_OK ? "" : " (KVP publish failed)");
    return IC_S_OK;
}

uint32_t fcopy_handle(struct ic_message *m)
{
    const struct ic_fcopy_header *h = ic_body(m, sizeof(struct ic_fcopy_header));
    switch (h->operation) {
    case IC_FCOPY_START:
        return fc_start(m);
    case IC_FCOPY_WRITE:
        return fc_write(m);
    case IC_FCOPY_COMPLETE:
        return fc_complete();
    case IC_FCOPY_CANCEL:
        if (fc_active >= 0)
            fc_drop(fc_active, "cancelled");
        return IC_S_OK;
    default:
        return IC_NOT_SUPPORTED;
    }
}

bool fcopy_complete_file(uint32_t slot, uint64_t *size, uint8_t sha256[SHA256_DIGEST_BYTES])
{
    if (slot >= FC_MAX_FILES || !files[slot].used || !files[slot].complete)
        return false;
    *size = files[slot].size;
    memcpy(sha256, files[slot].digest, SHA256_DIGEST_BYTES);
    return true;
}
