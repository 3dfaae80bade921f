/* icdaemon - the guest integration-services daemon: heartbeat, shutdown, time
 * sync, KVP and file copy over their VMBus IC channels (parvis/ic.h), served
 * from one polling loop that halts when nothing is pending.
 *
 * Root -> guest commands (boot->root_message_sint; payload
 * {u32 command, u32 arg, u64 value}):
 *   1 stop answering heartbeats (a hung daemon)     2 answer them again
 *   3 skew the guest clock by `value` (signed, 100 ns units)
 *   4 report the guest clock: reply {u64 guest_clock_100ns_since_1601}
 *   5 report file slot `arg`: reply {u64 size, u8 sha256[32]}; size is
 *     0xFFFFFFFFFFFFFFFF (digest zero) when the slot holds no complete file
 * Replies go to boot->root_message_connection_id, message type 1.
 *
 * A SHUTDOWN request is answered S_OK (hibernate: E_FAIL, not supported, and
 * the daemon keeps running); then every channel is closed, VMBus unloaded and
 * main returns, which powers the partition off. */
#include <parvis/parvis.h>
#include <parvis/vmbus.h>
#include <parvis/ic.h>

#define MAX_OFFERS 32
#define TICKS_PER_MS 10000ull
#define CLOSE_WAIT_TICKS (2000 * TICKS_PER_MS) /* bound for close/unload at shutdown */
#define CLOCK_TOLERANCE_TICKS (1 * TICKS_PER_MS)
#define REPLY_TYPE 1u

enum { SVC_HEARTBEAT, SVC_SHUTDOWN, SVC_TIMESYNC, SVC_KVP, SVC_FCOPY };

enum {
    CMD_HEARTBEAT_STOP = 1,
    CMD_HEARTBEAT_RESUME = 2,
    CMD_CLOCK_SKEW = 3,
    CMD_CLOCK_REPORT = 4,
    CMD_FILE_REPORT = 5,
};

struct root_command {
    uint32_t command;
    uint32_t arg;
    uint64_t value;
};

struct file_report {
    uint64_t size;
    uint8_t sha256[SHA256_DIGEST_BYTES];
};

static struct vmbus_connection conn; /* wait_ticks 0: hlt-and-poll */
static struct vmbus_offer offers[MAX_OFFERS];
static struct ic_channel channels[IC_SERVICE_COUNT];
static struct ic_message msg;

static bool heartbeat_paused;
static bool shutdown_requested;

/* ---- guest clock: reference time + offset, 100 ns units since 1601 -------- */

static uint64_t clock_offset; /* modular: clock = TIME_REF_COUNT + clock_offset */

static uint64_t guest_clock(uint64_t now_ref) { return now_ref + clock_offset; }

/* Seconds since 1970 of a 1601-based clock, for log lines. */
static uint64_t unix_seconds(uint64_t clock)
{
    uint64_t epoch = (uint64_t)IC_WINDOWS_EPOCH_OFFSET;
    return clock >= epoch ? (clock - epoch) / 10000000ull : 0;
}

/* ---- KVP: one table per pool; items in the wire layout -------------------- */

#define KVP_POOLS 4
#define KVP_MAX_ITEMS 64
#define KVP_KEY_UNITS ((uint32_t)IC_KVP_MAX_KEY_SIZE / 2u)

struct kvp_pool {
    uint32_t count;
    struct ic_kvp_value *items[KVP_MAX_ITEMS]; /* dense, in insertion order */
};

static struct kvp_pool pools[KVP_POOLS];
static struct ic_kvp_value *kvp_spare[KVP_POOLS * KVP_MAX_ITEMS]; /* freed items */
static uint32_t kvp_spare_count;
static uint8_t *slab_next, *slab_end; /* bump allocator over page_alloc'd pages */

static struct ic_kvp_value *kvp_alloc(void)
{
    if (kvp_spare_count)
        return kvp_spare[--kvp_spare_count];
    const uint64_t size = sizeof(struct ic_kvp_value); /* 2572, < one page */
    while (!slab_next || (uint64_t)(slab_end - slab_next) < size) {
        uint8_t *p = page_alloc();
        if (!p)
            return NULL;
        if (p != slab_end || !slab_next) /* not contiguous: start afresh */
            slab_next = p;
        slab_end = p + HV_PAGE_SIZE;
    }
    struct ic_kvp_value *v = (struct ic_kvp_value *)slab_next;
    slab_next += (size + 7) & ~7ull;
    return v;
}

/* Key units before the NUL, within key_size bytes and the key array. */
static uint32_t key_units(const uint8_t *key, uint32_t key_size)
{
    uint32_t max = key_size / 2 < KVP_KEY_UNITS ? key_size / 2 : KVP_KEY_UNITS;
    return ic_utf16_len(key, max);
}

static int kvp_find(const struct kvp_pool *p, const uint8_t *key, uint32_t units)
{
    for (uint32_t i = 0; i < p->count; i++) {
        const struct ic_kvp_value *v = p->items[i];
        if (key_units(v->key, v->key_size) == units && memcmp(v->key, key, 2 * units) == 0)
            return (int)i;
    }
    return -1;
}

/* Sets key (units UTF-16 units, no NUL) = value. Returns an IC status. */
static uint32_t kvp_set(uint32_t pool, const uint8_t *key, uint32_t units, uint32_t type,
                        const uint8_t *value, uint32_t value_size)
{
    if (pool >= KVP_POOLS || units == 0 || units >= KVP_KEY_UNITS ||
        value_size > IC_KVP_MAX_VALUE_SIZE)
        return IC_INVALIDARG;
    struct kvp_pool *p = &pools[pool];
    int i = kvp_find(p, key, units);
    struct ic_kvp_value *v;
    if (i >= 0) {
        v = p->items[i];
    } else {
        if (p->count == KVP_MAX_ITEMS || !(v = kvp_alloc()))
            return IC_E_FAIL;
        memcpy(v->key, key, 2 * units);
        v->key[2 * units] = 0;
        v->key[2 * units + 1] = 0;
        v->key_size = 2 * (units + 1);
        p->items[p->count++] = v;
    }
    v->value_type = type;
    v->value_size = value_size;
    memcpy(v->value, value, value_size);
    return IC_S_OK;
}

static uint32_t kvp_delete(uint32_t pool, const uint8_t *key, uint32_t units)
{
    if (pool >= KVP_POOLS)
        return IC_INVALIDARG;
    struct kvp_pool *p = &pools[pool];
    int i = kvp_find(p, key, units);
    if (i < 0)
        return IC_NOT_FOUND;
    kvp_spare[kvp_spare_count++] = p->items[i];
    p->count--;
    for (uint32_t k = (uint32_t)i; k < p->count; k++)
        p->items[k] = p->items[k + 1];
    return IC_S_OK;
}

/* REG_SZ item from ASCII strings (the intrinsic items). */
static void kvp_set_ascii(uint32_t pool, const char *key, const char *value)
{
    uint8_t k[IC_KVP_MAX_KEY_SIZE], v[IC_KVP_MAX_VALUE_SIZE];
    uint32_t ks = ic_utf16_from_ascii(k, sizeof(k), key);
    uint32_t vs = ic_utf16_from_ascii(v, sizeof(v), value);
    if (ks && vs && kvp_set(pool, k, ks / 2 - 1, IC_KVP_REG_SZ, v, vs) != IC_S_OK)
        dbg_printf("icdaemon: kvp: cannot store %s\n", key);
}

static void kvp_init(void)
{
    static const char *const intrinsic[][2] = {
        {"FullyQualifiedDomainName", "parvis-guest"},
        {"IntegrationServicesVersion", "1.0"},
        {"OSName", "Parvis guest"},
        {"OSVersion", "0.1"},
        {"OSBuildNumber", "1"},
        {"OSMajorVersion", "0"},
        {"OSMinorVersion", "1"},
        {"ProcessorArchitecture", "x86_64"},
    };
    for (uint32_t i = 0; i < sizeof(intrinsic) / sizeof(intrinsic[0]); i++)
        kvp_set_ascii(IC_KVP_POOL_AUTO, intrinsic[i][0], intrinsic[i][1]);
}

/* Copies an item into a wire record (sizes-bounded; the rest is left as is). */
static void kvp_fill(struct ic_kvp_value *out, const struct ic_kvp_value *v)
{
    out->value_type = v->value_type;
    out->key_size = v->key_size;
    out->value_size = v->value_size;
    memcpy(out->key, v->key, v->key_size);
    memcpy(out->value, v->value, v->value_size);
}

static uint32_t kvp_handle(struct ic_message *m)
{
    const struct ic_kvp_header *h = ic_body(m, sizeof(struct ic_kvp_header));
    uint32_t op = h->operation, pool = h->pool;
    if (pool >= KVP_POOLS)
        return IC_INVALIDARG;
    struct kvp_pool *p = &pools[pool];
    uint8_t *rec = m->body + sizeof(struct ic_kvp_header);
    const uint32_t head = (uint32_t)sizeof(struct ic_kvp_header);
    switch (op) {
    case IC_KVP_OP_GET: {
        ic_body(m, head + (uint32_t)sizeof(struct ic_kvp_value));
        struct ic_kvp_value *v = (struct ic_kvp_value *)rec;
        if (v->key_size > IC_KVP_MAX_KEY_SIZE)
            return IC_INVALIDARG;
        int i = kvp_find(p, v->key, key_units(v->key, v->key_size));
        if (i < 0)
            return IC_NOT_FOUND;
        kvp_fill(v, p->items[i]);
        return IC_S_OK;
    }
    case IC_KVP_OP_SET: {
        ic_body(m, head + (uint32_t)sizeof(struct ic_kvp_value));
        struct ic_kvp_value *v = (struct ic_kvp_value *)rec;
        if (v->key_size > IC_KVP_MAX_KEY_SIZE || v->value_size > IC_KVP_MAX_VALUE_SIZE)
            return IC_INVALIDARG;
        return kvp_set(pool, v->key, key_units(v->key, v->key_size), v->value_type, v->value,
                       v->value_size);
    }
    case IC_KVP_OP_DELETE: {
        ic_body(m, head + (uint32_t)sizeof(struct ic_kvp_delete));
        struct ic_kvp_delete *d = (struct ic_kvp_delete *)rec;
        if (d->key_size > IC_KVP_MAX_KEY_SIZE)
            return IC_INVALIDARG;
        return kvp_delete(pool, d->key, key_units(d->key, d->key_size));
    }
    case IC_KVP_OP_ENUMERATE: {
        ic_body(m, head + (uint32_t)sizeof(struct ic_kvp_enumerate));
        struct ic_kvp_enumerate *e = (struct ic_kvp_enumerate *)rec;
        if (e->index >= p->count)
            return IC_NO_MORE_ITEMS;
        kvp_fill(&e->data, p->items[e->index]);
        return IC_S_OK;
    }
    default:
        return IC_NOT_SUPPORTED;
    }
}

/* ---- file copy: up to FC_MAX_FILES files in one RAM store ---------------- */

#define FC_MAX_FILES 4
#define FC_STORE_PAGES 512u /* 2 MiB */
#define FC_NAME_UNITS 260u

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

static uint32_t fcopy_handle(struct ic_message *m)
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

/* ---- heartbeat, shutdown, time sync ---------------------------------------- */

/* Returns false when the request must go unanswered (heartbeats paused). */
static bool heartbeat_handle(struct ic_message *m, uint32_t *status)
{
    if (heartbeat_paused)
        return false;
    struct ic_heartbeat *hb = ic_body(m, sizeof(uint64_t));
    hb->sequence_number += 1;
    if (m->body_len >= sizeof(uint64_t) + sizeof(uint32_t))
        hb->application_state = IC_HEARTBEAT_STATE_HEALTHY;
    *status = IC_S_OK;
    return true;
}

static uint32_t shutdown_handle(struct ic_message *m)
{
    struct ic_shutdown *s = ic_body(m, 3 * sizeof(uint32_t)); /* reason, timeout, flags */
    if (s->flags & IC_SHUTDOWN_FLAG_HIBERNATE) {
        dbg_printf("icdaemon: shutdown: hibernate (flags 0x%x) not supported\n", s->flags);
        return IC_E_FAIL;
    }
    dbg_printf("icdaemon: shutdown: %s%s requested, reason 0x%x, timeout %u s\n",
               (s->flags & IC_SHUTDOWN_FLAG_RESTART) ? "restart (as power off)" : "power off",
               (s->flags & IC_SHUTDOWN_FLAG_FORCE) ? " (forced)" : "", s->reason_code,
               s->timeout_seconds);
    shutdown_requested = true;
    return IC_S_OK;
}

static uint32_t timesync_handle(const struct ic_channel *ic, struct ic_message *m)
{
    uint16_t major = ic->negotiated ? ic->version.major : m->hdr->message_major;
    uint64_t now = vmbus_now();
    uint64_t host_now;
    uint8_t flags;
    if (major >= 4) {
        struct ic_timesync *t = ic_body(m, sizeof(struct ic_timesync));
        host_now = t->parent_time + (now - t->vm_reference_time);
        flags = t->flags;
    } else {
        /* 3.0 and older: parenttime @0, childtime @8, roundtriptime @16, flags @24. */
        uint8_t *b = ic_body(m, 25);
        memcpy(&host_now, b, sizeof(host_now));
        flags = b[24];
    }
    if (flags & IC_TIMESYNC_SYNC) {
        clock_offset = host_now - now;
        dbg_printf("icdaemon: timesync: clock set to %lu (unix %lu s)\n", host_now,
                   unix_seconds(host_now));
    } else if (flags & IC_TIMESYNC_SAMPLE) {
        int64_t error = (int64_t)(guest_clock(now) - host_now);
        if (error > (int64_t)CLOCK_TOLERANCE_TICKS || error < -(int64_t)CLOCK_TOLERANCE_TICKS) {
            clock_offset = host_now - now;
            dbg_printf("icdaemon: timesync: sample corrected the clock by %ld x 100 ns\n",
                       (long)-error);
        }
    }
    return IC_S_OK;
}

/* ---- channels ----------------------------------------------------------- */

static void serve(struct ic_channel *ic, uint32_t svc)
{
    if (!ic_is_request(&msg)) {
        dbg_printf("icdaemon: %s: ignoring message type %u with flags 0x%x\n", ic->service->name,
                   msg.hdr->message_type, msg.hdr->flags);
        return;
    }
    uint16_t type = msg.hdr->message_type;
    if (type == IC_MSG_NEGOTIATE) {
        ic_negotiate(ic, &msg);
        if (ic->negotiated)
            dbg_printf("icdaemon: %s: negotiated framework %u.%u, version %u.%u\n",
                       ic->service->name, ic->framework.major, ic->framework.minor,
                       ic->version.major, ic->version.minor);
        else
            dbg_printf("icdaemon: %s: no common version\n", ic->service->name);
        return;
    }
    uint32_t status = IC_NOT_SUPPORTED;
    if (type == ic->service->message_type) {
        switch (svc) {
        case SVC_HEARTBEAT:
            if (!heartbeat_handle(&msg, &status))
                return;
            break;
        case SVC_SHUTDOWN:
            status = shutdown_handle(&msg);
            break;
        case SVC_TIMESYNC:
            status = timesync_handle(ic, &msg);
            break;
        case SVC_KVP:
            status = kvp_handle(&msg);
            break;
        case SVC_FCOPY:
            status = fcopy_handle(&msg);
            break;
        }
    }
    int rc = ic_respond(ic, &msg, status);
    if (rc)
        dbg_printf("icdaemon: %s: answer failed: 0x%x\n", ic->service->name, (unsigned)rc);
}

/* Drains one channel; returns true if any packet was taken. */
static bool poll_channel(uint32_t svc)
{
    struct ic_channel *ic = &channels[svc];
    if (!ic->open)
        return false;
    /* Clear the signal first, then look at the ring: a packet published after
     * the look sets the flag again and hlt returns. */
    synic_test_and_clear_event(VMBUS_MESSAGE_SINT, ic->ch.relid);
    bool any = false;
    for (;;) {
        int rc = ic_recv(ic, &msg);
        if (rc == VMBUS_ERR_EMPTY)
            return any;
        any = true;
        if (rc == IC_ERR_MALFORMED) {
            dbg_printf("icdaemon: %s: malformed packet dropped (type %u, %u bytes)\n",
                       ic->service->name, msg.info.type, msg.info.payload_bytes);
            continue;
        }
        if (rc) {
            dbg_printf("icdaemon: %s: receive failed: 0x%x; channel abandoned\n",
                       ic->service->name, (unsigned)rc);
            ic->open = false;
            return any;
        }
        serve(ic, svc);
        if (shutdown_requested)
            return any;
    }
}

/* VMBus control messages arriving while we serve: a rescind ends a channel. */
static bool poll_vmbus_control(void)
{
    struct hv_message hm;
    if (!synic_poll_message(VMBUS_MESSAGE_SINT, &hm))
        return false;
    struct vmbus_rescind_channel_offer r;
    memset(&r, 0, sizeof(r));
    memcpy(&r, hm.payload, hm.payload_size < sizeof(r) ? hm.payload_size : sizeof(r));
    if (r.header.message_type == VMBUS_MSG_RESCIND_CHANNEL_OFFER &&
        hm.payload_size >= sizeof(r)) {
        for (uint32_t s = 0; s < IC_SERVICE_COUNT; s++)
            if (channels[s].open && channels[s].ch.relid == r.child_relid) {
                dbg_printf("icdaemon: %s: channel rescinded\n", channels[s].service->name);
                channels[s].open = false;
            }
    } else {
        dbg_printf("icdaemon: VMBus control message %u ignored\n", r.header.message_type);
    }
    return true;
}

static void root_reply(const void *p, uint32_t len)
{
    uint16_t st = hv_post_message(parvis_boot()->root_message_connection_id, REPLY_TYPE, p, len);
    if (st != HV_STATUS_SUCCESS)
        dbg_printf("icdaemon: reply to the root failed: 0x%x\n", st);
}

static bool poll_root(uint32_t sint)
{
    struct hv_message hm;
    if (!synic_poll_message(sint, &hm))
        return false;
    struct root_command c;
    memset(&c, 0, sizeof(c));
    memcpy(&c, hm.payload, hm.payload_size < sizeof(c) ? hm.payload_size : sizeof(c));
    if (hm.payload_size < sizeof(uint32_t))
        return true;
    switch (c.command) {
    case CMD_HEARTBEAT_STOP:
        heartbeat_paused = true;
        dbg_puts("icdaemon: root: heartbeats paused");
        break;
    case CMD_HEARTBEAT_RESUME:
        heartbeat_paused = false;
        dbg_puts("icdaemon: root: heartbeats resumed");
        break;
    case CMD_CLOCK_SKEW:
        clock_offset += c.value;
        dbg_printf("icdaemon: root: clock skewed by %ld x 100 ns\n", (long)(int64_t)c.value);
        break;
    case CMD_CLOCK_REPORT: {
        uint64_t clock = guest_clock(vmbus_now());
        root_reply(&clock, sizeof(clock));
        dbg_printf("icdaemon: root: clock %lu (unix %lu s)\n", clock, unix_seconds(clock));
        break;
    }
    case CMD_FILE_REPORT: {
        struct file_report r;
        memset(&r, 0, sizeof(r));
        r.size = ~0ull;
        if (c.arg < FC_MAX_FILES && files[c.arg].used && files[c.arg].complete) {
            r.size = files[c.arg].size;
            memcpy(r.sha256, files[c.arg].digest, sizeof(r.sha256));
        }
        root_reply(&r, sizeof(r));
        dbg_printf("icdaemon: root: file %u: size %lu\n", c.arg, r.size);
        break;
    }
    default:
        dbg_printf("icdaemon: root: unknown command %u\n", c.command);
        break;
    }
    return true;
}

/* ---- main ------------------------------------------------------------------ */

static int open_channels(int count)
{
    int opened = 0;
    for (uint32_t s = 0; s < IC_SERVICE_COUNT; s++) {
        const struct ic_service *svc = &ic_services[s];
        const struct vmbus_offer *o = vmbus_find_offer(offers, count, &svc->device_class);
        if (!o) {
            dbg_printf("icdaemon: %s: not offered\n", svc->name);
            continue;
        }
        int rc = ic_open(&conn, o, svc, &channels[s]);
        dbg_printf("icdaemon: %s: relid %u open: status 0x%x\n", svc->name, o->child_relid,
                   (unsigned)rc);
        if (rc == 0)
            opened++;
    }
    return opened;
}

static void close_all(void)
{
    conn.wait_ticks = CLOSE_WAIT_TICKS; /* the host may be going away */
    for (uint32_t s = 0; s < IC_SERVICE_COUNT; s++) {
        if (!channels[s].open)
            continue;
        int rc = ic_close(&channels[s]);
        dbg_printf("icdaemon: %s: closed (status 0x%x, %lu requests)\n",
                   channels[s].service->name, (unsigned)rc, channels[s].requests);
    }
    int rc = vmbus_disconnect(&conn);
    dbg_printf("icdaemon: VMBus unloaded: status 0x%x\n", (unsigned)rc);
}

int main(void)
{
    const struct parvis_boot_info *boot = parvis_boot();
    uint32_t root_sint = boot->root_message_sint;
    bool have_root = root_sint != VMBUS_MESSAGE_SINT;
    if (have_root) {
        uint16_t st = synic_enable(root_sint);
        if (st != HV_STATUS_SUCCESS) {
            dbg_printf("icdaemon: SynIC on SINT %u failed: 0x%x\n", root_sint, st);
            have_root = false;
        }
    } else {
        dbg_puts("icdaemon: root commands on the VMBus SINT; ignoring root commands");
    }

    kvp_init();
    int rc = vmbus_connect(&conn);
    dbg_printf("icdaemon: connect: status 0x%x, version 0x%x\n", (unsigned)rc, conn.version);
    if (rc)
        return 1;
    int count = vmbus_request_offers(&conn, offers, MAX_OFFERS);
    if (count < 0) {
        dbg_printf("icdaemon: offers failed: 0x%x\n", (unsigned)count);
        return 1;
    }
    int opened = open_channels(count);
    dbg_printf("icdaemon: %d offers, %d IC channels open; serving\n", count, opened);

    while (!shutdown_requested) {
        bool work = false;
        for (uint32_t s = 0; s < IC_SERVICE_COUNT && !shutdown_requested; s++)
            work |= poll_channel(s);
        work |= poll_vmbus_control();
        if (have_root)
            work |= poll_root(root_sint);
        if (!work && !shutdown_requested)
            hv_halt(); /* SynIC work (an event flag or a message) wakes us */
    }

    close_all();
    dbg_puts("icdaemon: shut down");
    return 0;
}
