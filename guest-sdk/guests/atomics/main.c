/* atomics - every VP of the partition increments four shared counters with
 * lock xadd. Request from the root: {u64 rounds}. VP 0 starts the other VPs
 * (vp_start), works too, waits until all are done and replies
 * {u64 vps, u64 counters[4], u64 sum of every value xadd returned}. If the
 * increments were atomic, each counter is vps * rounds / 4 and the values
 * returned for a counter are exactly 0 .. count - 1, once each. */
#include <parvis/parvis.h>

#define REPLY_MESSAGE_TYPE 1u
#define COUNTERS 4u
#define MAX_VPS 64u

struct shared {
    uint64_t counters[COUNTERS];
    uint64_t rounds;
    uint64_t sums[MAX_VPS];
    uint32_t done[MAX_VPS];
};

static struct shared shared;

static void work(uint32_t vp, void *arg)
{
    struct shared *s = arg;
    uint64_t sum = 0;
    for (uint64_t i = 0; i < s->rounds; i++)
        sum += __atomic_fetch_add(&s->counters[i % COUNTERS], 1, __ATOMIC_SEQ_CST);
    s->sums[vp] = sum;
    __atomic_store_n(&s->done[vp], 1, __ATOMIC_RELEASE);
}

int main(void)
{
    const struct parvis_boot_info *boot = parvis_boot();
    uint32_t vps = boot->vp_count < MAX_VPS ? boot->vp_count : MAX_VPS;
    uint32_t sint = boot->root_message_sint;
    if (synic_enable(sint) != HV_STATUS_SUCCESS)
        return 1;
    dbg_printf("atomics: %u VPs, waiting for {rounds}\n", vps);
    struct hv_message request;
    synic_wait_message(sint, &request);
    memcpy(&shared.rounds, request.payload, sizeof(shared.rounds));
    shared.rounds -= shared.rounds % COUNTERS;

    for (uint32_t vp = 1; vp < vps; vp++) {
        uint16_t status = vp_start(vp, work, &shared);
        if (status != HV_STATUS_SUCCESS) {
            dbg_printf("atomics: starting VP %u failed (status 0x%x)\n", vp, status);
            return 2;
        }
    }
    work(0, &shared);
    for (uint32_t vp = 0; vp < vps; vp++)
        while (!__atomic_load_n(&shared.done[vp], __ATOMIC_ACQUIRE))
            cpu_pause();

    uint64_t reply[2 + COUNTERS];
    reply[0] = vps;
    reply[1 + COUNTERS] = 0;
    for (uint32_t c = 0; c < COUNTERS; c++)
        reply[1 + c] = shared.counters[c];
    for (uint32_t vp = 0; vp < vps; vp++)
        reply[1 + COUNTERS] += shared.sums[vp];
    dbg_printf("atomics: %u VPs done, %lu rounds each\n", vps, (unsigned long)shared.rounds);
    uint16_t status = hv_post_message(boot->root_message_connection_id, REPLY_MESSAGE_TYPE, reply, sizeof(reply));
    return status == HV_STATUS_SUCCESS ? 0 : 3;
}
