/* kvp.c - the KVP exchange service: one item table per pool, items kept in the
 * wire layout so GET and ENUMERATE copy them out as they are. The intrinsic
 * items (the auto pool) are set at start; file copy publishes digests in the
 * guest pool. */
#include "icdaemon.h"

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
uint32_t kvp_set(uint32_t pool, const uint8_t *key, uint32_t units, uint32_t type,
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

uint32_t kvp_delete(uint32_t pool, const uint8_t *key, uint32_t units)
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

void kvp_init(void)
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

uint32_t kvp_handle(struct ic_message *m)
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
