/*
 * Parvis: precise preemption for the unicorn backend.
 *
 * libunicorn 2.0.1 cannot be stopped safely from another thread: an asynchronous uc_emu_stop
 * makes the TB chain exit before the next translation block without restoring the guest PC
 * (cpu_tb_exec skips synchronize_from_tb while stop_request is set), so uc_emu_start returns
 * with registers past instructions the stale PC still points before, and re-entry executes them
 * twice. A UC_HOOK_BLOCK callback runs after unicorn has synced the PC to the block it is about
 * to execute; stopping from there is exact. This callback is that hook: the kernel sets
 * `requested` from any thread, and the VP's own thread stops at the next block boundary.
 *
 * Native because it runs on every translated block: a Java upcall costs ~26 ns, this ~1 ns.
 */
#include <stdint.h>

typedef int (*uc_emu_stop_fn)(void *uc);

struct parvis_kick {
    volatile int32_t requested;       /* set by the kernel (any thread), cleared here */
    volatile int32_t stopped;         /* set here when this hook ended the run */
    uc_emu_stop_fn emu_stop;          /* uc_emu_stop, passed in: no link-time dependency */
};

void parvis_kick_block_hook(void *uc, uint64_t address, uint32_t size, void *user_data)
{
    struct parvis_kick *kick = user_data;
    (void)address;
    (void)size;
    if (__atomic_load_n(&kick->requested, __ATOMIC_ACQUIRE)) {
        __atomic_store_n(&kick->requested, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&kick->stopped, 1, __ATOMIC_RELEASE);
        kick->emu_stop(uc);
    }
}
