/* fuzz - hostile-guest test. Request from the root: payload {u64 seed,
 * u64 count}. Issues `count` hypercalls with random control values, random
 * input bytes and input/output GPAs chosen among valid, misaligned, unmapped,
 * beyond-RAM, read-only and executable pages, counts the statuses and replies
 * {u64 count, u64 successes, u64 failures}.
 *
 * Output GPAs are only ever the fuzz output page (which a guard page follows),
 * unmapped or beyond-RAM GPAs, or read-only pages the hypervisor must refuse to
 * write: never this guest's stack, code or SynIC pages. */
#include <parvis/parvis.h>

#define REPLY_MESSAGE_TYPE 1u
#define INPUT_QWORDS_PER_CALL 8u /* refreshed per call; the rest was filled once */
#define PROGRESS_EVERY 65536u

/* Control bits that must be zero: 27-31 (incl. nested), 44-47, 60-63. */
#define CONTROL_RESERVED_MASK 0xF000F000F8000000ull
#define CONTROL_VARHEAD_MASK (0x3FFull << HV_HYPERCALL_VARHEAD_OFFSET)

/* Call codes worth hitting often: long spin wait, partition management
 * 0x40-0x54, ports, messages/events, debug data, SignalEventDirect/PostMessageDirect. */
static const uint16_t known_codes[] = {
    0x08, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d,
    0x4e, 0x4f, 0x50, 0x51, 0x52, 0x53, 0x54, 0x58, 0x5b, 0x5c, 0x5d, 0x69, 0x6a, 0x6b, 0x95,
    0x96, 0xc0, 0xc1,
};
#define KNOWN_CODES (sizeof(known_codes) / sizeof(known_codes[0]))

struct fuzz_request {
    uint64_t seed;
    uint64_t count;
};

struct fuzz_report {
    uint64_t count;
    uint64_t successes;
    uint64_t failures;
};

struct fuzz_pages {
    uint64_t *input;
    uint8_t *output;
    const uint64_t *guard; /* follows output: must stay zero */
};

/* xorshift64* */
static inline uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static uint64_t random_control(uint64_t *rng)
{
    uint64_t r = next_random(rng);
    uint64_t control = (r & 1) ? known_codes[(r >> 8) % KNOWN_CODES] : (uint16_t)(r >> 16);
    if (r & 2)
        control |= HV_HYPERCALL_FAST_BIT;
    uint64_t count = 0, start = 0;
    switch ((r >> 2) & 3) {
    case 0:
    case 1: /* simple call */
        break;
    case 2: /* small rep call, start usually inside the range */
        count = 1 + ((r >> 32) & 7);
        start = (r >> 40) % (count + 1);
        break;
    default: /* anything the 12-bit fields hold */
        count = (r >> 32) & 0xfff;
        start = (r >> 48) & 0xfff;
        break;
    }
    control |= count << HV_HYPERCALL_REP_COUNT_OFFSET;
    control |= start << HV_HYPERCALL_REP_START_OFFSET;
    if (((r >> 4) & 7) == 0)
        control |= next_random(rng) & CONTROL_VARHEAD_MASK;
    if (((r >> 7) & 7) == 0)
        control |= next_random(rng) & CONTROL_RESERVED_MASK;
    return control;
}

static uint64_t beyond_ram(const struct parvis_boot_info *boot, uint64_t r)
{
    return boot->ram_size + (r & 0xFFFFF000ull);
}

static uint64_t random_input_gpa(const struct parvis_boot_info *boot, const struct fuzz_pages *p,
                                 uint64_t r)
{
    switch ((r >> 3) % 9) {
    case 0: return (uintptr_t)p->input;
    case 1: return (uintptr_t)p->output;
    case 2: return (uintptr_t)p->input + 1 + ((r >> 12) & 0xfff) % 4095; /* misaligned / crossing */
    case 3: return 0;                                                    /* never mapped */
    case 4: return beyond_ram(boot, r >> 20);
    case 5: return boot->hypercall_page_gpa;                             /* read + execute */
    case 6: return (uintptr_t)boot;                                      /* read-only */
    case 7: return (uintptr_t)&main;                                     /* own code, r-x */
    default: return r;                                                   /* anything */
    }
}

static uint64_t random_output_gpa(const struct parvis_boot_info *boot, const struct fuzz_pages *p,
                                  uint64_t r)
{
    switch ((r >> 40) % 6) {
    case 0: return (uintptr_t)p->output;
    case 1: return (uintptr_t)p->output + 1 + ((r >> 48) & 7); /* misaligned */
    case 2: return 0;
    case 3: return beyond_ram(boot, r >> 8);
    case 4: return boot->hypercall_page_gpa; /* read-only for the guest: must be refused */
    default: return (uintptr_t)boot;         /* read-only: must be refused */
    }
}

static void fill_input(uint64_t *rng, uint64_t *input, unsigned qwords)
{
    for (unsigned i = 0; i < qwords; i++)
        input[i] = next_random(rng);
    if ((input[0] & 3) == 0) { /* valid-looking header: partition self, VP self, VTL 0 */
        input[0] = HV_PARTITION_ID_SELF;
        input[1] = HV_VP_INDEX_SELF;
    }
}

/* A random connection id that happens to be one of the root's would send the
 * harness a stray message or event; move it off (connection ids are 24 bits). */
static uint64_t avoid_root_connections(const struct parvis_boot_info *boot, uint64_t v)
{
    uint64_t id = v & 0xFFFFFFull;
    if (id == (boot->root_message_connection_id & 0xFFFFFFull) ||
        id == (boot->root_event_connection_id & 0xFFFFFFull))
        v ^= 1ull << 23;
    return v;
}

static bool guard_intact(const uint64_t *guard)
{
    for (unsigned i = 0; i < HV_PAGE_SIZE / sizeof(uint64_t); i++)
        if (guard[i])
            return false;
    return true;
}

static struct fuzz_report run(const struct parvis_boot_info *boot, const struct fuzz_pages *p,
                              struct fuzz_request req, uint64_t histogram[16])
{
    uint64_t rng = req.seed ? req.seed : 0x9E3779B97F4A7C15ull;
    struct fuzz_report report = {req.count, 0, 0};
    fill_input(&rng, p->input, HV_PAGE_SIZE / sizeof(uint64_t));
    p->input[0] = avoid_root_connections(boot, p->input[0]);
    for (uint64_t i = 0; i < req.count; i++) {
        uint64_t control = random_control(&rng);
        fill_input(&rng, p->input, INPUT_QWORDS_PER_CALL);
        p->input[0] = avoid_root_connections(boot, p->input[0]);
        uint64_t r = next_random(&rng);
        uint64_t in = random_input_gpa(boot, p, r);
        uint64_t out = random_output_gpa(boot, p, r);
        if (control & HV_HYPERCALL_FAST_BIT) /* RDX is input, not an address */
            in = avoid_root_connections(boot, in);
        uint16_t status = hv_status(hv_hypercall(control, in, out));
        histogram[status & 15]++;
        if (status == HV_STATUS_SUCCESS)
            report.successes++;
        else
            report.failures++;
        if ((i + 1) % PROGRESS_EVERY == 0)
            dbg_printf("fuzz: %lu/%lu calls, %lu succeeded\n", i + 1, req.count, report.successes);
    }
    return report;
}

int main(void)
{
    const struct parvis_boot_info *boot = parvis_boot();
    uint32_t sint = boot->root_message_sint;
    uint16_t status = synic_enable(sint);
    dbg_printf("fuzz: SynIC on SINT %u (status 0x%x), waiting for {seed, count}\n", sint, status);
    if (status != HV_STATUS_SUCCESS)
        return 1;

    /* Consecutive pages from the bump allocator: input, output, guard. */
    struct fuzz_pages pages = {page_alloc(), page_alloc(), page_alloc()};
    if (!pages.input || !pages.output || !pages.guard) {
        dbg_puts("fuzz: out of pages");
        return 2;
    }

    struct hv_message message;
    synic_wait_message(sint, &message);
    if (message.payload_size < sizeof(struct fuzz_request)) {
        dbg_printf("fuzz: request too short (%u bytes)\n", message.payload_size);
        return 3;
    }
    struct fuzz_request req;
    memcpy(&req, message.payload, sizeof(req));
    dbg_printf("fuzz: seed 0x%lx, %lu calls\n", req.seed, req.count);

    struct parvis_boot_info boot_before = *boot;
    uint64_t histogram[16] = {0};
    struct fuzz_report report = run(boot, &pages, req, histogram);

    dbg_printf("fuzz: %lu calls, %lu succeeded, %lu failed\n", report.count, report.successes,
               report.failures);
    for (unsigned b = 0; b < 16; b++)
        if (histogram[b])
            dbg_printf("fuzz:   status & 0xf == 0x%x: %lu\n", b, histogram[b]);
    bool boot_same = memcmp(&boot_before, boot, sizeof(boot_before)) == 0;
    bool guard_ok = guard_intact(pages.guard);
    dbg_printf("fuzz: boot info %s, guard page %s\n", boot_same ? "unchanged" : "MODIFIED",
               guard_ok ? "intact" : "WRITTEN");

    status = hv_post_message(boot->root_message_connection_id, REPLY_MESSAGE_TYPE, &report,
                             sizeof(report));
    dbg_printf("fuzz: reported to the root (status 0x%x)\n", status);
    return status == HV_STATUS_SUCCESS && boot_same && guard_ok ? 0 : 4;
}
