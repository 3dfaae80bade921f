/*
 * Parvis: exact preemption of a running unicorn engine at no cost per translation block.
 *
 * Root cause of the stale-PC bug of a cross-thread uc_emu_stop (2.0.1, read in its source and
 * reproduced in C): uc_emu_stop -> cpu_exit() makes icount_decr negative. Every translation block
 * tests it at its start (gen_tb_start) and exits with TB_EXIT_REQUESTED before executing anything;
 * cpu_tb_exec then sets the PC to that block's start (synchronize_from_tb), which is exact. But
 * unicorn also emits the same test after every guest load and store (tcg-op.c: check_exit_request()
 * at the end of tcg_gen_qemu_ld/st_*), branching to the same exit label. A stop that lands while a
 * block runs therefore leaves it in the middle, right after a memory access, and cpu_tb_exec
 * "restores" the PC to the block's start although the instructions before, and the access itself,
 * have taken effect: re-entry runs them again (a push twice, an add [mem] twice, ...). It is not the
 * stop_request flag: cpu_tb_exec syncs unless quit_request is set (cpu-exec.c, 2.0.1 and 2.1.4).
 * 2.1.x moved both tests into a helper that restores the PC with cpu_loop_exit_restore, which is the
 * start of the interrupted instruction: still wrong after the store of a read-modify-write.
 *
 * The mid-block tests exist so that a memory hook calling uc_emu_stop stops right after the access.
 * check_exit_request() emits nothing while uc->no_exit_request is set (a flag unicorn sets around
 * ARM IT blocks; never touched for x86). With it set from the start, only the block-start test
 * remains: a cross-thread uc_emu_stop then ends the run exactly at the next block boundary, and
 * costs nothing while no kick is pending (the test at each block start exists anyway). Blocks also
 * lose a compare and branch per memory access.
 *
 * One thing relies on the mid-block test: a store to an unmapped or read-only page. Unicorn's store
 * helper then only calls cpu_exit() and returns (cputlb.c), trusting the test after the store to
 * leave the block; without it the block would run on past the faulting store. Loads do it properly:
 * cpu_exit() and cpu_loop_exit() (a longjmp back to cpu_exec, RIP synced to the faulting
 * instruction). The VP's write-fault hook therefore does what the load path does:
 * parvis_preempt_store_fault() stops the run and calls QEMU's cpu_loop_exit (exported by libunicorn
 * as cpu_loop_exit_x86_64) on the engine's CPUState, so a faulting store still exits precisely.
 *
 * The flag lives in unicorn's private struct uc_struct, so its place is found, not assumed: the
 * fields around it are the same in 2.0.1 and 2.1.x (uc_priv.h):
 *     int cpu_context_size; uint64_t next_pc; bool hook_insert, first_tb, no_exit_request, init_done;
 * cpu_context_size is public (uc_context_size() - sizeof(struct uc_context)), init_done is 1 after
 * initialisation and the other two flags are 0; exactly one place in the struct must match. Then a
 * probe proves the flag's effect once per process: a memory hook that stops the run must stop it in
 * the middle of a block without the flag and at the end of the block with it. If either step fails,
 * the VP falls back to the block hook (a helper call per block). The CPUState is uc_struct.cpu:
 * found as the pointer followed by two function pointers into libunicorn (insn_hook_validate,
 * opcode_hook_invalidate) whose CPUState points back to the engine (CPUState.uc, after the 32 KiB
 * tb_jmp_cache); the search reads candidate memory under the emulator guard.
 */
#define _GNU_SOURCE
#include "parvis_unicorn.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SCAN_LIMIT 4096
#define UC_CONTEXT_HEADER 16 /* struct uc_context { size_t context_size; uc_mode mode; uc_arch arch; } */

/* The offset of no_exit_request in this engine's struct uc_struct, or -1. */
static long locate(void *uc)
{
    int context = (int)(parvis_uc.context_size(uc) - UC_CONTEXT_HEADER);
    const uint8_t *p = uc;
    long found = -1;
    for (long off = 0; off + 24 <= SCAN_LIMIT; off += 4) {
        int value;
        memcpy(&value, p + off, sizeof value);
        if (value != context) {
            continue;
        }
        long next_pc = (off + 4 + 7) & ~7L;
        const uint8_t *flags = p + next_pc + 8;
        if (flags[0] == 0 && flags[1] <= 1 && flags[2] == 0 && flags[3] == 1) {
            if (found >= 0) {
                return -1; /* ambiguous */
            }
            found = next_pc + 8 + 2;
        }
    }
    return found;
}

static uint8_t probe_page[4096] __attribute__((aligned(4096)));

struct cpu_search {
    void *uc;
    long offset;     /* of uc_struct.cpu */
    long back;       /* of CPUState.uc */
};

/* Under the guard: a wrong candidate may point anywhere. */
static void search_cpu(void *arg)
{
    struct cpu_search *search = arg;
    const uintptr_t *words = search->uc;
    search->offset = -1;
    for (long i = 1; (i + 3) * 8 <= SCAN_LIMIT; i++) {
        uintptr_t candidate = words[i];
        if (candidate == 0 || (candidate & 7) != 0 || parvis_guard_in_unicorn(candidate)
            || !parvis_guard_in_unicorn(words[i + 1]) || !parvis_guard_in_unicorn(words[i + 2])) {
            continue;
        }
        const uintptr_t *cpu = (const uintptr_t *)candidate;
        for (long k = 32768 / 8; k < 49152 / 8; k++) {
            if (cpu[k] == (uintptr_t)search->uc) {
                search->offset = i * 8;
                search->back = k * 8;
                return;
            }
        }
    }
}

/*
 * CPUState ends "... uint32_t halted; uint32_t can_do_io; int32_t exception_index; struct uc_struct *uc;"
 * (hw/core/cpu.h, 2.0.1 and 2.1.4): halted sits 16 bytes before the 8-aligned back-pointer. hlt sets it, and
 * only the next uc_emu_start clears it (resume_all_vcpus), so after a run it tells a hlt from a stop.
 */
static long halted_offset = -1;

static long locate_cpu(void *uc)
{
    struct cpu_search search = {uc, -1, -1};
    struct parvis_fault fault;
    if (parvis_uc.cpu_loop_exit == NULL || parvis_guarded(search_cpu, &search, &fault) != 0) {
        return -1;
    }
    if (search.offset >= 0) {
        halted_offset = search.back - 16;
    }
    return search.offset;
}

long parvis_preempt_halted_offset(void)
{
    return halted_offset;
}

/* A hlt must leave halted = 1 behind, a stop 0: the flag is then trusted to tell them apart. */
static int probe_halted(long cpu_offset)
{
    static const uint8_t code[] = {0x48, 0xFF, 0xC1, 0xF4};
    void *uc;
    if (halted_offset < 0 || parvis_uc.open(4, 1 << 3, &uc) != UC_ERR_OK) {
        return 0;
    }
    parvis_uc.context_size(uc);
    uint8_t *cpu = *(uint8_t **)((uint8_t *)uc + cpu_offset);
    memset(probe_page, 0xF4, sizeof probe_page);
    memcpy(probe_page, code, sizeof code);
    int ok = 0;
    if (parvis_uc.mem_map_ptr(uc, 0x1000, sizeof probe_page, 7, probe_page) == UC_ERR_OK) {
        uint32_t before = *(uint32_t *)(cpu + halted_offset);
        parvis_uc.emu_start(uc, 0x1000, 0, 0, 0);
        ok = before == 0 && *(uint32_t *)(cpu + halted_offset) == 1;
    }
    parvis_uc.close(uc);
    return ok;
}

void parvis_preempt_store_fault(void *uc, void *cpu)
{
    parvis_uc.emu_stop(uc);
    parvis_uc.cpu_loop_exit(cpu);
}

struct probe {
    void *uc;
    void *cpu;
};

static void stop_on_store(void *uc, int type, uint64_t address, int size, int64_t value, void *user)
{
    (void)type, (void)address, (void)size, (void)value, (void)user;
    parvis_uc.emu_stop(uc);
}

static int exit_on_store_fault(void *uc, int type, uint64_t address, int size, int64_t value, void *user)
{
    (void)type, (void)address, (void)size, (void)value;
    parvis_preempt_store_fault(uc, ((struct probe *)user)->cpu);
    return 0;
}

/*
 * mov [target], rax; inc rcx; jmp next; next: inc rdx; hlt, with RCX = 0. Returns RCX afterwards, or
 * -1-RCX when the run did not end at the store's own RIP although `faulting` says it must.
 *   faulting = 0: target 0x1800 (mapped), a hook stops the run on the store: RCX 0 when the stop
 *                 took effect right after the store, 1 at the end of the block.
 *   faulting = 1: target 0x100000 (unmapped), the fault hook ends the run: RCX 0 and RIP = the store.
 */
static long probe_run(long offset, long cpu_offset, int faulting)
{
    static const uint8_t code[] = {0x48, 0x89, 0x04, 0x25, 0x00, 0x18, 0x00, 0x00, 0x48, 0xFF, 0xC1,
                                   0xEB, 0x00, 0x48, 0xFF, 0xC2, 0xF4};
    struct probe probe;
    if (parvis_uc.open(4, 1 << 3, &probe.uc) != UC_ERR_OK) {
        return -100;
    }
    void *uc = probe.uc;
    parvis_uc.context_size(uc);
    probe.cpu = cpu_offset >= 0 ? *(void **)((uint8_t *)uc + cpu_offset) : NULL;
    if (offset >= 0) {
        ((uint8_t *)uc)[offset] = 1;
    }
    memset(probe_page, 0xF4, sizeof probe_page);
    memcpy(probe_page, code, sizeof code);
    if (faulting) {
        probe_page[6] = 0x10; /* [0x100000] */
        probe_page[5] = 0x00;
    }
    long rcx = -100;
    size_t h;
    int hooked = faulting ? parvis_uc.hook_add(uc, &h, 1 << 5 /* WRITE_UNMAPPED */, (void *)exit_on_store_fault, &probe, 1, 0)
                          : parvis_uc.hook_add(uc, &h, UC_HOOK_MEM_WRITE, (void *)stop_on_store, NULL, 0x1800, 0x1800);
    if (parvis_uc.mem_map_ptr(uc, 0x1000, sizeof probe_page, 7, probe_page) == UC_ERR_OK && hooked == UC_ERR_OK) {
        uint64_t value = 0;
        parvis_uc.reg_write(uc, UC_X86_REG_RCX, &value);
        parvis_uc.emu_start(uc, 0x1000, 0, 0, 0);
        uint64_t rip = 0;
        parvis_uc.reg_read(uc, UC_X86_REG_RCX, &value);
        parvis_uc.reg_read(uc, UC_X86_REG_RIP, &rip);
        rcx = faulting && rip != 0x1000 ? -1 - (long)value : (long)value;
    }
    parvis_uc.close(uc);
    return rcx;
}

static long verified = -2, verified_cpu = -2;

static void verify(void)
{
    void *uc;
    long offset = -1, cpu = -1;
    if (parvis_uc.open(4, 1 << 3, &uc) == UC_ERR_OK) {
        offset = locate(uc);
        cpu = locate_cpu(uc);
        parvis_uc.close(uc);
    }
    int ok = offset >= 0 && cpu >= 0 && probe_run(-1, -1, 0) == 0 && probe_run(offset, -1, 0) == 1
             && probe_run(offset, cpu, 1) == 0 && probe_halted(cpu);
    verified = ok ? offset : -1;
    verified_cpu = ok ? cpu : -1;
}

/* The verified offset of no_exit_request, or -1; for the kernel's log line. */
long parvis_preempt_offset(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, verify);
    return verified;
}

void *parvis_preempt_prepare(void *uc)
{
    long offset = parvis_preempt_offset();
    if (offset < 0 || locate(uc) != offset || locate_cpu(uc) != verified_cpu) {
        return NULL;
    }
    ((uint8_t *)uc)[offset] = 1;
    return *(void **)((uint8_t *)uc + verified_cpu);
}
