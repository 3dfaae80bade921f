/*
 * Parvis: the native half of one unicorn virtual processor.
 *
 * The Java run loop makes one downcall per guest entry (parvis_vp_run). Everything a common exit
 * needs is done here without crossing back into Java: the invalid-instruction, interrupt and
 * invalid-memory hooks are C functions that record the exit in struct parvis_vp; after uc_emu_start
 * returns, RIP (and, for an invalid instruction, RCX/RDX/R8: a hypercall's inputs) are read into the
 * same struct, and the next run
 * takes RAX (the hypercall's result) and the new RIP as inputs. Java reads the struct as plain memory.
 * Only CPUID and port I/O still call Java (their answers come from kernel policy), through
 * trampolines that tell the guard a Java frame is active.
 *
 * Both unicorn semantics work: 2.0.1 ends uc_emu_start on any invalid instruction whatever the hook
 * returns; 2.1.x continues in place when the hook returns true, so the hook returns false (stop)
 * and the run loop re-enters at the new RIP on both.
 */
#define _GNU_SOURCE
#include "parvis_unicorn.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum exit_kind { EXIT_NONE = 0, EXIT_UNUSED, EXIT_INVALID_OPCODE, EXIT_INTERRUPT, EXIT_MEMORY, EXIT_PORT_WRITE };

/* Java upcalls: int cpuid(), uint32 port_in(port, size), int port_out(port, size, value) (1 = declined). */
typedef int (*java_cpuid_fn)(void);
typedef uint32_t (*java_port_in_fn)(uint32_t port, int32_t size);
typedef int32_t (*java_port_out_fn)(uint32_t port, int32_t size, uint32_t value);

/* Mirrored by UnicornVpState.LAYOUT in Java; parvis_vp_offsets pins every offset for a test. */
struct parvis_vp {
    void *uc;
    /* inputs of the next run */
    uint64_t rip;          /* entry RIP; after a run, RIP where it stopped */
    uint64_t rax;          /* written to RAX before entry when set_rax != 0 */
    int32_t set_rax;
    /* outputs of the last run */
    int32_t uc_err;
    int32_t exit;          /* enum exit_kind: the first event a hook recorded */
    int32_t detail;        /* interrupt vector, uc_mem_type, or port */
    uint64_t value;        /* fault address, or the value written to the port */
    uint64_t event_rip;    /* RIP seen by the interrupt hook */
    int32_t size;          /* port access size */
    int32_t kicked;        /* the block hook (fallback preemption) ended the run */
    uint64_t rcx, rdx, r8; /* hypercall inputs, read at a hypercall exit */
    /* preemption */
    volatile int32_t kick_requested;
    volatile int32_t kick_lock;
    int32_t exact_stop;    /* 1: kicks use uc_emu_stop (made exact); 0: the block hook */
    int32_t state;         /* 0 live, 1 poisoned, 2 closed, 3 leaked */
    /* java */
    java_cpuid_fn java_cpuid;
    java_port_in_fn java_port_in;
    java_port_out_fn java_port_out;
    uint64_t tcg_lo, tcg_hi;
    struct parvis_fault fault;
    void *cpu;             /* the engine's CPUState, when exact_stop */
    int32_t halted;        /* the last run ended on a hlt (exact_stop only: from CPUState.halted) */
    int32_t halted_offset;
};

enum { LIVE = 0, POISONED = 1, CLOSED = 2, LEAKED = 3 };
#define PARVIS_POISONED (-1)

static void record(struct parvis_vp *vp, int kind, int detail, uint64_t value)
{
    if (vp->exit == EXIT_NONE) {
        vp->exit = kind;
        vp->detail = detail;
        vp->value = value;
    }
}

static int on_invalid(void *uc, void *user)
{
    (void)uc;
    record(user, EXIT_INVALID_OPCODE, 0, 0);
    return 0; /* stop: 2.0.1 does anyway, 2.1.x would otherwise continue in place */
}

static void on_interrupt(void *uc, uint32_t vector, void *user)
{
    struct parvis_vp *vp = user;
    if (vp->exit == EXIT_NONE) {
        parvis_uc.reg_read(uc, UC_X86_REG_RIP, &vp->event_rip);
    }
    record(vp, EXIT_INTERRUPT, (int)vector, 0);
    /* The guest's IDT is never used: stop here, or an unfixed fault re-executes into #DF. */
    parvis_uc.emu_stop(uc);
}

#define UC_MEM_WRITE_UNMAPPED 20
#define UC_MEM_WRITE_PROT 22

static int on_memory_fault(void *uc, int type, uint64_t address, int size, int64_t value, void *user)
{
    (void)size;
    (void)value;
    struct parvis_vp *vp = user;
    record(vp, EXIT_MEMORY, type, address);
    if (vp->exact_stop && (type == UC_MEM_WRITE_UNMAPPED || type == UC_MEM_WRITE_PROT)) {
        parvis_preempt_store_fault(uc, vp->cpu); /* does not return: see unicorn_preempt.c */
    }
    return 0;
}

/* Never called for guest accesses: its presence makes 2.0.1 sync RIP before every load and store. */
static void on_memory_access(void *uc, int type, uint64_t address, int size, int64_t value, void *user)
{
    (void)uc, (void)type, (void)address, (void)size, (void)value, (void)user;
}

static int on_cpuid(void *uc, void *user)
{
    (void)uc;
    struct parvis_vp *vp = user;
    parvis_upcall_enter();
    int skip = vp->java_cpuid();
    parvis_upcall_leave();
    return skip;
}

static uint32_t on_port_in(void *uc, uint32_t port, int size, void *user)
{
    (void)uc;
    struct parvis_vp *vp = user;
    parvis_upcall_enter();
    uint32_t value = vp->java_port_in(port, size);
    parvis_upcall_leave();
    return value;
}

static void on_port_out(void *uc, uint32_t port, int size, uint32_t value, void *user)
{
    struct parvis_vp *vp = user;
    parvis_upcall_enter();
    int declined = vp->java_port_out(port, size, value);
    parvis_upcall_leave();
    if (declined) {
        if (vp->exit == EXIT_NONE) {
            vp->size = size;
        }
        record(vp, EXIT_PORT_WRITE, (int)(port & 0xFFFF), value);
        parvis_uc.emu_stop(uc); /* takes effect at the end of the block: RIP is imprecise */
    }
}

/* Block hook of the fallback preemption (used only when parvis_preempt_prepare fails). */
static void on_block(void *uc, uint64_t address, uint32_t size, void *user)
{
    (void)address;
    (void)size;
    struct parvis_vp *vp = user;
    if (__atomic_load_n(&vp->kick_requested, __ATOMIC_ACQUIRE)) {
        __atomic_store_n(&vp->kick_requested, 0, __ATOMIC_RELAXED);
        vp->kicked = 1;
        parvis_uc.emu_stop(uc);
    }
}

static int hooks(struct parvis_vp *vp, uint64_t rip_sync_page, int precise_reads)
{
    size_t h;
    void *uc = vp->uc;
    int err = parvis_uc.hook_add(uc, &h, UC_HOOK_INSN_INVALID, (void *)on_invalid, vp, 1, 0);
    err = err ? err : parvis_uc.hook_add(uc, &h, UC_HOOK_INTR, (void *)on_interrupt, vp, 1, 0);
    err = err ? err : parvis_uc.hook_add(uc, &h, UC_HOOK_MEM_INVALID, (void *)on_memory_fault, vp, 1, 0);
    err = err ? err : parvis_uc.hook_add(uc, &h, (precise_reads ? UC_HOOK_MEM_READ : 0) | UC_HOOK_MEM_WRITE,
                                         (void *)on_memory_access, vp, rip_sync_page, rip_sync_page);
    err = err ? err : parvis_uc.hook_add(uc, &h, UC_HOOK_INSN, (void *)on_cpuid, vp, 1, 0, UC_X86_INS_CPUID);
    err = err ? err : parvis_uc.hook_add(uc, &h, UC_HOOK_INSN, (void *)on_port_in, vp, 1, 0, UC_X86_INS_IN);
    err = err ? err : parvis_uc.hook_add(uc, &h, UC_HOOK_INSN, (void *)on_port_out, vp, 1, 0, UC_X86_INS_OUT);
    if (!err && !vp->exact_stop) {
        err = parvis_uc.hook_add(uc, &h, UC_HOOK_BLOCK, (void *)on_block, vp, 1, 0);
    }
    return err;
}

/*
 * Held while an engine opens (from the maps read before it to the one after) and while one closes (its
 * buffer unmapped and dropped from the guard). Without it a buffer unmapped by a close on another
 * thread between the two reads left a hole the new engine's buffer filled at the same address: the
 * difference showed nothing new, the buffer went unregistered, and a fault in that engine's generated
 * code took the JVM down instead of being contained (InstructionFuzzTest, once; CodeBufferGuardTest
 * found 5 of 300 engines unregistered while another thread closed engines).
 */
static pthread_mutex_t buffers_lock = PTHREAD_MUTEX_INITIALIZER;

/* The anonymous executable mappings (TCG code buffers are rwx): as many as the guard has slots for buffers, and some. */
#define MAX_MAPS 1100
struct maps {
    uintptr_t lo[MAX_MAPS], hi[MAX_MAPS];
    int count;
};

static void executable_anonymous(struct maps *m)
{
    m->count = 0;
    FILE *f = fopen("/proc/self/maps", "re");
    if (f == NULL) {
        return;
    }
    char line[512];
    while (fgets(line, sizeof line, f) != NULL && m->count < MAX_MAPS) {
        unsigned long lo, hi, offset, inode;
        char perms[8];
        int devmaj, devmin;
        if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu", &lo, &hi, perms, &offset, &devmaj, &devmin, &inode) == 7
            && perms[2] == 'x' && inode == 0) {
            m->lo[m->count] = lo;
            m->hi[m->count] = hi;
            m->count++;
        }
    }
    fclose(f);
}

/* The executable mapping that appeared while the engine initialised: its TCG code buffer. */
static void find_tcg_buffer(struct parvis_vp *vp, const struct maps *before, const struct maps *after)
{
    for (int i = 0; i < after->count; i++) {
        int seen = 0;
        for (int j = 0; j < before->count && !seen; j++) {
            seen = before->lo[j] == after->lo[i];
        }
        if (!seen && after->hi[i] - after->lo[i] >= (1u << 20)) {
            vp->tcg_lo = after->lo[i];
            vp->tcg_hi = after->hi[i];
            parvis_guard_tcg_range(after->lo[i], after->hi[i]);
            return;
        }
    }
}

/*
 * Opens an x86-64 engine with every hook, prepares exact preemption (falling back to the block
 * hook), and registers its code buffer with the guard. Returns the VP, or NULL with *error set.
 */
struct parvis_vp *parvis_vp_open(void *java_cpuid, void *java_port_in, void *java_port_out, uint64_t rip_sync_page,
                                 int precise_reads, int allow_exact_stop, int *error)
{
    static struct maps before, after;
    struct parvis_vp *vp = calloc(1, sizeof *vp);
    if (vp == NULL) {
        *error = -2;
        return NULL;
    }
    vp->java_cpuid = (java_cpuid_fn)java_cpuid;
    vp->java_port_in = (java_port_in_fn)java_port_in;
    vp->java_port_out = (java_port_out_fn)java_port_out;
    /* Serialised with other opens and with closes, so that the maps difference shows this engine's buffer only. */
    pthread_mutex_lock(&buffers_lock);
    executable_anonymous(&before);
    *error = parvis_uc.open(4 /* UC_ARCH_X86 */, 1 << 3 /* UC_MODE_64 */, &vp->uc);
    if (*error == UC_ERR_OK) {
        parvis_uc.context_size(vp->uc); /* forces unicorn's lazy initialisation: TCG and its buffer */
        executable_anonymous(&after);
        find_tcg_buffer(vp, &before, &after);
    }
    pthread_mutex_unlock(&buffers_lock);
    if (*error != UC_ERR_OK) {
        free(vp);
        return NULL;
    }
    vp->cpu = allow_exact_stop ? parvis_preempt_prepare(vp->uc) : NULL;
    vp->exact_stop = vp->cpu != NULL;
    vp->halted_offset = (int32_t)parvis_preempt_halted_offset();
    *error = hooks(vp, rip_sync_page, precise_reads);
    if (*error != UC_ERR_OK) {
        pthread_mutex_lock(&buffers_lock);
        parvis_uc.close(vp->uc);
        parvis_guard_tcg_range(vp->tcg_lo, 0);
        pthread_mutex_unlock(&buffers_lock);
        free(vp);
        return NULL;
    }
    return vp;
}

static void run_guest(void *arg)
{
    struct parvis_vp *vp = arg;
    void *uc = vp->uc;
    if (vp->set_rax) {
        vp->set_rax = 0;
        parvis_uc.reg_write(uc, UC_X86_REG_RAX, &vp->rax);
    }
    /* until = 0: a non-zero "until" after hot code invalidates that block on every exit;
       timeout = 0: a timeout spawns and joins a timer thread per call. */
    vp->uc_err = parvis_uc.emu_start(uc, vp->rip, 0, 0, 0);
    parvis_uc.reg_read(uc, UC_X86_REG_RIP, &vp->rip);
    vp->halted = vp->exact_stop && *(uint32_t *)((uint8_t *)vp->cpu + vp->halted_offset) != 0;
    if (vp->exact_stop && vp->exit == EXIT_NONE && vp->uc_err == UC_ERR_OK && !vp->halted) {
        /* A stop with no event and no hlt is a kick's. Any other exit leaves the kick pending, so
           the next entry returns at once: a kick never disguises a hlt. */
        vp->kicked = __atomic_exchange_n(&vp->kick_requested, 0, __ATOMIC_ACQ_REL);
    }
    if (vp->exit == EXIT_INVALID_OPCODE) {
        /* A hypercall candidate: its inputs are read here, while the engine is at hand. Whether the
           bytes at RIP are a VMCALL is decided in Java from the mapped guest memory (uc_mem_read
           costs several register reads). */
        static int ids[3] = {UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_R8};
        void *values[3] = {&vp->rcx, &vp->rdx, &vp->r8};
        parvis_uc.reg_read_batch(uc, ids, values, 3);
    }
}

/*
 * Runs the guest from vp->rip until something needs the kernel. Returns uc_emu_start's uc_err, the
 * number of the signal that ended a contained emulator failure (the engine is poisoned and
 * vp->fault says what happened), or PARVIS_POISONED for an engine that failed before.
 */
int parvis_vp_run(struct parvis_vp *vp)
{
    if (vp->state != LIVE) {
        return PARVIS_POISONED;
    }
    vp->exit = EXIT_NONE;
    vp->kicked = 0;
    int sig = parvis_guarded(run_guest, vp, &vp->fault);
    if (sig != 0) {
        while (__atomic_exchange_n(&vp->kick_lock, 1, __ATOMIC_ACQUIRE)) {
        }
        vp->state = POISONED; /* kicks stop touching the engine from here on */
        __atomic_store_n(&vp->kick_lock, 0, __ATOMIC_RELEASE);
    }
    return sig;
}

/* Any thread: stops a running guest at its next translation-block boundary (exactly). */
void parvis_vp_kick(struct parvis_vp *vp)
{
    __atomic_store_n(&vp->kick_requested, 1, __ATOMIC_RELEASE);
    if (!vp->exact_stop) {
        return; /* the block hook sees the flag */
    }
    while (__atomic_exchange_n(&vp->kick_lock, 1, __ATOMIC_ACQUIRE)) {
    }
    if (vp->state == LIVE) {
        parvis_uc.emu_stop(vp->uc);
    }
    __atomic_store_n(&vp->kick_lock, 0, __ATOMIC_RELEASE);
}

static void close_engine(void *arg)
{
    struct parvis_vp *vp = arg;
    parvis_uc.close(vp->uc);
}

/*
 * Closes the engine (guarded: a poisoned one may fault again) and frees the VP. Returns 0, or 1 when
 * closing failed and the engine's memory was leaked on purpose; the VP's own struct is then kept too.
 */
int parvis_vp_close(struct parvis_vp *vp)
{
    while (__atomic_exchange_n(&vp->kick_lock, 1, __ATOMIC_ACQUIRE)) {
    }
    int was = vp->state;
    vp->state = CLOSED;
    __atomic_store_n(&vp->kick_lock, 0, __ATOMIC_RELEASE);
    if (was == CLOSED || was == LEAKED) {
        return was == LEAKED;
    }
    struct parvis_fault fault;
    memset(&fault, 0, sizeof fault);
    /* A fault in the guarded close comes back here by siglongjmp, so the lock is always released. */
    pthread_mutex_lock(&buffers_lock);
    int sig = parvis_guarded(close_engine, vp, &fault);
    if (sig == 0) {
        parvis_guard_tcg_range(vp->tcg_lo, 0);
    }
    pthread_mutex_unlock(&buffers_lock);
    if (sig != 0) {
        vp->state = LEAKED; /* the TCG buffer stays registered: it is still mapped */
        return 1;
    }
    free(vp);
    return 0;
}

/* Offsets of struct parvis_vp's fields, in UnicornVpState.LAYOUT's order, for the layout test. */
int parvis_vp_offsets(int64_t *out, int n)
{
    const size_t offsets[] = {
        offsetof(struct parvis_vp, uc), offsetof(struct parvis_vp, rip), offsetof(struct parvis_vp, rax),
        offsetof(struct parvis_vp, set_rax), offsetof(struct parvis_vp, uc_err), offsetof(struct parvis_vp, exit),
        offsetof(struct parvis_vp, detail), offsetof(struct parvis_vp, value), offsetof(struct parvis_vp, event_rip),
        offsetof(struct parvis_vp, size), offsetof(struct parvis_vp, kicked), offsetof(struct parvis_vp, rcx),
        offsetof(struct parvis_vp, rdx), offsetof(struct parvis_vp, r8), offsetof(struct parvis_vp, kick_requested),
        offsetof(struct parvis_vp, kick_lock), offsetof(struct parvis_vp, exact_stop), offsetof(struct parvis_vp, state),
        offsetof(struct parvis_vp, java_cpuid), offsetof(struct parvis_vp, java_port_in),
        offsetof(struct parvis_vp, java_port_out), offsetof(struct parvis_vp, tcg_lo), offsetof(struct parvis_vp, tcg_hi),
        offsetof(struct parvis_vp, fault) + offsetof(struct parvis_fault, signal),
        offsetof(struct parvis_vp, fault) + offsetof(struct parvis_fault, code),
        offsetof(struct parvis_vp, fault) + offsetof(struct parvis_fault, pc),
        offsetof(struct parvis_vp, fault) + offsetof(struct parvis_fault, address),
        offsetof(struct parvis_vp, fault) + offsetof(struct parvis_fault, caller),
        offsetof(struct parvis_vp, fault) + offsetof(struct parvis_fault, message),
        offsetof(struct parvis_vp, cpu),
        offsetof(struct parvis_vp, halted),
        offsetof(struct parvis_vp, halted_offset),
        sizeof(struct parvis_vp),
    };
    int count = (int)(sizeof offsets / sizeof offsets[0]);
    for (int i = 0; i < n && i < count; i++) {
        out[i] = (int64_t)offsets[i];
    }
    return count;
}
