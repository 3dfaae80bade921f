/*
 * Parvis: containment of the CPU emulator.
 *
 * libunicorn is native code inside the host JVM. Some guest instructions make its code generator
 * call abort() (2.0.1 and 2.1.4: "tcg fatal error" on F0 0F AB C8, lock bts eax, ecx), and a bug in
 * it could fault. Without a guard either ends the host. With it, the guarded call (uc_emu_start,
 * uc_close of a broken engine) returns the signal instead, the engine is poisoned (never entered
 * again) and the kernel fails only the partition that ran it.
 *
 * Why in-process and not a worker process per VM (Hyper-V's shape): every exit of such a VP would
 * cross processes. Measured on this 2-core machine with src/test/c/process_roundtrip.c (median of
 * 20,000, machine shared with other builds): pipe ping-pong 3.0 us, futex on shared memory 3.5 us,
 * spinning on shared memory 0.23 us (but that burns a core per VM, impossible with more VMs than
 * cores). The budget is a hypercall round trip of at most 2x an empty trap, ~0.3 us, i.e. ~0.6 us:
 * a sleeping cross-process hand-off alone is 5x that. The guard costs one sigsetjmp (no mask saved)
 * per guest entry, and a guest's memory stays where it is.
 *
 * Mechanics:
 * - One handler for SIGABRT, SIGSEGV, SIGBUS, SIGFPE and SIGILL, installed once, after the JVM's.
 * - A signal is the emulator's when the thread is inside a guarded call, is not inside a Java
 *   upcall made from a hook (HotSpot raises SIGSEGV itself in Java code: implicit null checks,
 *   safepoint polls, stack banging), and the signal is its own doing: abort() on this thread
 *   (SI_TKILL from our pid), or a synchronous fault (si_code > 0) whose PC lies in libunicorn's
 *   text, libc's or libm's text (called by it), this shim, or a registered TCG code buffer.
 * - Anything else goes to the handler that was installed before (the JVM's), with the same
 *   arguments, or, when that was the default, to the default action (restore and re-raise).
 * - Leaving by siglongjmp is sound for abort(): glibc 2.36's abort() (stdlib/abort.c) sets its
 *   stage back to 0 and releases its recursive lock *before* raise(SIGABRT), precisely so that a
 *   handler may return or jump away, and raise() on the calling thread blocks no signals
 *   (pthread_kill.c: tgkill on self, no mask change). The handler runs with the signal blocked
 *   (as the JVM's flags ask); sigsetjmp(env, 0) saves no mask, so the failure path restores the
 *   mask the thread had when the signal arrived (uc_sigmask). A heap-corruption abort from glibc
 *   (malloc_printerr) is not contained: it may hold an arena lock, and the heap is already broken.
 *
 * Everything the handler touches is async-signal-safe: initial-exec TLS (no allocation on first
 * access), plain loads of ranges published with release stores, no locks, no stdio.
 */
#define _GNU_SOURCE
#include "parvis_unicorn.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct parvis_uc parvis_uc;

struct range {
    uintptr_t lo, hi;
};

#define MAX_TEXT 16
#define MAX_TCG 1024
static struct range text[MAX_TEXT]; /* written once at install, before the handler exists */
static int text_count;
static struct range unicorn_text;    /* libunicorn alone: the stack scan names its frames */
static struct range tcg[MAX_TCG];    /* code buffers of live engines */

static const int SIGNALS[] = {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL};
#define SIGNAL_COUNT ((int)(sizeof SIGNALS / sizeof SIGNALS[0]))
static struct sigaction previous[SIGNAL_COUNT];

/* glibc's abort message (assert and heap checks write it); GLIBC_PRIVATE, found with dlsym. */
struct abort_msg {
    unsigned int size;
    char msg[];
};
static struct abort_msg **abort_msg;
static struct abort_msg *last_abort_msg;

struct frame {
    sigjmp_buf jump;
    struct parvis_fault *fault;
    sigset_t mask;    /* the thread's mask when the signal arrived */
    uintptr_t limit;  /* the stack scan stops at the guarded call's own frame */
};

static __thread struct frame *current __attribute__((tls_model("initial-exec")));
static __thread int upcalls __attribute__((tls_model("initial-exec")));

static int in(const struct range *r, uintptr_t pc)
{
    uintptr_t lo = __atomic_load_n(&r->lo, __ATOMIC_ACQUIRE);
    uintptr_t hi = __atomic_load_n(&r->hi, __ATOMIC_ACQUIRE);
    return pc >= lo && pc < hi;
}

static int owned_pc(uintptr_t pc)
{
    for (int i = 0; i < text_count; i++) {
        if (in(&text[i], pc)) {
            return 1;
        }
    }
    for (int i = 0; i < MAX_TCG; i++) {
        if (in(&tcg[i], pc)) {
            return 1;
        }
    }
    return 0;
}

static int owned(int sig, const siginfo_t *info, uintptr_t pc)
{
    if (sig == SIGABRT) {
        return info->si_code == SI_TKILL && info->si_pid == getpid();
    }
    return info->si_code > 0 && owned_pc(pc);
}

/* The innermost return address into libunicorn between the signal's stack pointer and the guard. */
static uintptr_t scan_caller(uintptr_t sp, uintptr_t limit)
{
    for (uintptr_t p = sp & ~(uintptr_t)7; p + 8 <= limit && p < sp + 65536; p += 8) {
        uintptr_t word = *(const uintptr_t *)p;
        if (in(&unicorn_text, word)) {
            return word;
        }
    }
    return 0;
}

static void copy_abort_message(struct parvis_fault *fault)
{
    struct abort_msg *m = abort_msg ? *abort_msg : NULL;
    if (m == NULL || m == last_abort_msg) {
        return;
    }
    last_abort_msg = m;
    size_t i = 0;
    for (; i + 1 < sizeof fault->message && m->msg[i] != 0; i++) {
        fault->message[i] = m->msg[i];
    }
    fault->message[i] = 0;
}

/* glibc's heap checks report "malloc(): ...", "free(): ...", "double free or corruption ...". */
static int heap_corruption(const char *message)
{
    return strstr(message, "malloc") || strstr(message, "free(") || strstr(message, "corrupt")
           || strstr(message, "chunk");
}

static void chain(int index, int sig, siginfo_t *info, void *context)
{
    const struct sigaction *old = &previous[index];
    if (old->sa_flags & SA_SIGINFO) {
        old->sa_sigaction(sig, info, context);
    } else if (old->sa_handler == SIG_IGN) {
        return;
    } else if (old->sa_handler != SIG_DFL) {
        old->sa_handler(sig);
    } else {
        /* The default action: restore it and raise again (delivered when this handler returns). */
        signal(sig, SIG_DFL);
        raise(sig);
    }
}

static void on_signal(int sig, siginfo_t *info, void *context)
{
    ucontext_t *uc = context;
    uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    struct frame *f = current;
    int index = 0;
    while (index < SIGNAL_COUNT && SIGNALS[index] != sig) {
        index++;
    }
    if (f != NULL && upcalls == 0 && owned(sig, info, pc)) {
        struct parvis_fault *fault = f->fault;
        fault->signal = sig;
        fault->code = info->si_code;
        fault->pc = pc;
        fault->address = (uintptr_t)info->si_addr;
        fault->caller = scan_caller((uintptr_t)uc->uc_mcontext.gregs[REG_RSP], f->limit);
        fault->message[0] = 0;
        if (sig == SIGABRT) {
            copy_abort_message(fault);
        }
        if (!heap_corruption(fault->message)) {
            f->mask = uc->uc_sigmask;
            current = NULL;
            siglongjmp(f->jump, 1);
        }
    }
    chain(index, sig, info, context);
}

struct wanted {
    const char *name;
    int unicorn;
};

static int add_text(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    const struct wanted *want = data;
    const char *name = info->dlpi_name;
    if (name == NULL || strstr(name, want->name) == NULL) {
        return 0;
    }
    for (int i = 0; i < info->dlpi_phnum && text_count < MAX_TEXT; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
            uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
            text[text_count++] = (struct range){lo, lo + ph->p_memsz};
            if (want->unicorn) {
                unicorn_text = text[text_count - 1];
            }
        }
    }
    return 0;
}

static int resolve(void *lib)
{
    parvis_uc.open = (uc_open_fn)dlsym(lib, "uc_open");
    parvis_uc.close = (uc_close_fn)dlsym(lib, "uc_close");
    parvis_uc.emu_start = (uc_emu_start_fn)dlsym(lib, "uc_emu_start");
    parvis_uc.emu_stop = (uc_emu_stop_fn)dlsym(lib, "uc_emu_stop");
    parvis_uc.reg_read = (uc_reg_rw_fn)dlsym(lib, "uc_reg_read");
    parvis_uc.reg_write = (uc_reg_rw_fn)dlsym(lib, "uc_reg_write");
    parvis_uc.reg_read_batch = (uc_reg_batch_fn)dlsym(lib, "uc_reg_read_batch");
    parvis_uc.mem_read = (uc_mem_read_fn)dlsym(lib, "uc_mem_read");
    parvis_uc.hook_add = (uc_hook_add_fn)dlsym(lib, "uc_hook_add");
    parvis_uc.context_size = (uc_context_size_fn)dlsym(lib, "uc_context_size");
    parvis_uc.mem_map_ptr = (uc_mem_map_ptr_fn)dlsym(lib, "uc_mem_map_ptr");
    parvis_uc.cpu_loop_exit = (void (*)(void *))dlsym(lib, "cpu_loop_exit_x86_64"); /* optional */
    return parvis_uc.open && parvis_uc.close && parvis_uc.emu_start && parvis_uc.emu_stop && parvis_uc.reg_read
           && parvis_uc.reg_write && parvis_uc.reg_read_batch && parvis_uc.mem_read && parvis_uc.hook_add && parvis_uc.context_size && parvis_uc.mem_map_ptr ? 0 : -1;
}

/* The file name of the loaded object that defines uc_open (the library the JVM loaded). */
static const char *unicorn_object(void)
{
    Dl_info where;
    if (dladdr((void *)parvis_uc.open, &where) == 0 || where.dli_fname == NULL) {
        return NULL;
    }
    const char *slash = strrchr(where.dli_fname, '/');
    return slash ? slash + 1 : where.dli_fname;
}

static int install_handlers(void)
{
    for (int i = 0; i < SIGNAL_COUNT; i++) {
        struct sigaction act;
        if (sigaction(SIGNALS[i], NULL, &previous[i]) != 0) {
            return -1;
        }
        memset(&act, 0, sizeof act);
        act.sa_sigaction = on_signal;
        /* Keep the JVM's mask and flags (it blocks most signals while handling a fault). */
        act.sa_mask = previous[i].sa_mask;
        act.sa_flags = (previous[i].sa_flags & (SA_RESTART | SA_ONSTACK)) | SA_SIGINFO | SA_ONSTACK;
        if (sigaction(SIGNALS[i], &act, NULL) != 0) {
            return -1;
        }
    }
    return 0;
}

static int installed = -2;
static pthread_mutex_t install_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Installs the guard once per process for the libunicorn at `library` (a path, or a name the
 * dynamic linker resolves); returns 0, or -1 when the library is not loaded or lacks a function.
 */
int parvis_guard_install(const char *library)
{
    pthread_mutex_lock(&install_lock);
    if (installed == -2) {
        void *lib = dlopen(library, RTLD_NOW | RTLD_NOLOAD);
        installed = -1;
        if (lib != NULL && resolve(lib) == 0) {
            const char *object = unicorn_object();
            Dl_info self;
            dladdr((void *)parvis_guard_install, &self);
            const char *me = strrchr(self.dli_fname, '/');
            struct wanted objects[] = {{object ? object : "libunicorn", 1}, {"libc.so", 0}, {"libm.so", 0},
                                       {me ? me + 1 : self.dli_fname, 0}};
            for (size_t i = 0; i < sizeof objects / sizeof objects[0]; i++) {
                dl_iterate_phdr(add_text, &objects[i]);
            }
            abort_msg = dlsym(RTLD_DEFAULT, "__abort_msg");
            last_abort_msg = abort_msg ? *abort_msg : NULL;
            installed = unicorn_text.hi != 0 ? install_handlers() : -1;
        }
    }
    pthread_mutex_unlock(&install_lock);
    return installed;
}

void parvis_guard_tcg_range(uintptr_t lo, uintptr_t hi)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_TCG; i++) {
        struct range *r = &tcg[i];
        if (hi == 0 && r->lo == lo && r->hi != 0) {
            __atomic_store_n(&r->hi, 0, __ATOMIC_RELEASE);
            __atomic_store_n(&r->lo, 0, __ATOMIC_RELEASE);
            break;
        }
        if (hi != 0 && r->hi == 0) {
            __atomic_store_n(&r->lo, lo, __ATOMIC_RELEASE);
            __atomic_store_n(&r->hi, hi, __ATOMIC_RELEASE);
            break;
        }
    }
    pthread_mutex_unlock(&lock);
}

int parvis_guarded(void (*fn)(void *), void *arg, struct parvis_fault *fault)
{
    struct frame f;
    struct frame *volatile outer = current;
    f.fault = fault;
    f.limit = (uintptr_t)__builtin_frame_address(0);
    if (sigsetjmp(f.jump, 0) != 0) {
        pthread_sigmask(SIG_SETMASK, &f.mask, NULL);
        current = outer;
        upcalls = 0;
        return fault->signal;
    }
    current = &f;
    fn(arg);
    current = outer;
    return 0;
}

int parvis_guard_in_unicorn(uintptr_t pc)
{
    return in(&unicorn_text, pc);
}

void parvis_upcall_enter(void)
{
    upcalls++;
}

void parvis_upcall_leave(void)
{
    upcalls--;
}

/* A contained fault's address as "object+0xoffset" (static QEMU functions have no exported name). */
int parvis_guard_describe(uint64_t address, char *out, int size)
{
    Dl_info where;
    if (address == 0 || dladdr((void *)(uintptr_t)address, &where) == 0 || where.dli_fname == NULL) {
        return snprintf(out, (size_t)size, "0x%llx", (unsigned long long)address);
    }
    const char *slash = strrchr(where.dli_fname, '/');
    return snprintf(out, (size_t)size, "%s+0x%llx", slash ? slash + 1 : where.dli_fname,
                    (unsigned long long)(address - (uintptr_t)where.dli_fbase));
}
