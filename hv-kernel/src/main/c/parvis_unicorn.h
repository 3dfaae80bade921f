/*
 * Parvis: the native side of the unicorn backend (libparvis-unicorn.so).
 *
 * Three parts, one file each:
 *   unicorn_guard.c    containment: a fatal signal raised inside libunicorn (abort(), or a fault whose
 *                      PC lies in its text or a TCG code buffer) ends the guarded call, never the JVM
 *   unicorn_vp.c       one virtual processor: the run loop's native half (run, exit capture, hooks)
 *   unicorn_preempt.c  exact preemption: kicks that stop the guest at a translation-block boundary
 *
 * libunicorn is never linked: its functions are looked up in the already-loaded library (dlopen
 * RTLD_NOLOAD), so the shim builds without unicorn's headers and follows whatever library the JVM
 * loaded (2.0.1 from Debian, or a 2.1.x build named by -Dparvis.unicorn.library).
 */
#ifndef PARVIS_UNICORN_H
#define PARVIS_UNICORN_H

#include <stddef.h>
#include <stdint.h>

/* ---- libunicorn ABI values (unicorn.h, x86.h 2.x; UnicornAbi.java holds the same numbers) ---- */
#define UC_ERR_OK 0
#define UC_HOOK_INTR (1 << 0)
#define UC_HOOK_INSN (1 << 1)
#define UC_HOOK_BLOCK (1 << 3)
#define UC_HOOK_MEM_INVALID 1008 /* READ/WRITE/FETCH _UNMAPPED and _PROT */
#define UC_HOOK_MEM_READ (1 << 10)
#define UC_HOOK_MEM_WRITE (1 << 11)
#define UC_HOOK_INSN_INVALID (1 << 14)
#define UC_X86_INS_CPUID 113
#define UC_X86_INS_IN 218
#define UC_X86_INS_OUT 500
#define UC_X86_REG_RAX 35
#define UC_X86_REG_RCX 38
#define UC_X86_REG_RDX 40
#define UC_X86_REG_RIP 41
#define UC_X86_REG_R8 106

typedef int (*uc_open_fn)(int arch, int mode, void **uc);
typedef int (*uc_close_fn)(void *uc);
typedef int (*uc_emu_start_fn)(void *uc, uint64_t begin, uint64_t until, uint64_t timeout, size_t count);
typedef int (*uc_emu_stop_fn)(void *uc);
typedef int (*uc_reg_rw_fn)(void *uc, int regid, void *value);
typedef int (*uc_reg_batch_fn)(void *uc, int *regs, void **values, int count);
typedef int (*uc_mem_read_fn)(void *uc, uint64_t address, void *bytes, size_t size);
typedef int (*uc_hook_add_fn)(void *uc, size_t *hh, int type, void *callback, void *user_data,
                              uint64_t begin, uint64_t end, ...);
typedef size_t (*uc_context_size_fn)(void *uc);
typedef int (*uc_mem_map_ptr_fn)(void *uc, uint64_t address, size_t size, uint32_t perms, void *ptr);

/* The libunicorn functions the shim calls, resolved once by parvis_guard_install. */
struct parvis_uc {
    uc_open_fn open;
    uc_close_fn close;
    uc_emu_start_fn emu_start;
    uc_emu_stop_fn emu_stop;
    uc_reg_rw_fn reg_read;
    uc_reg_rw_fn reg_write;
    uc_reg_batch_fn reg_read_batch;
    uc_mem_read_fn mem_read;
    uc_hook_add_fn hook_add;
    uc_context_size_fn context_size;
    uc_mem_map_ptr_fn mem_map_ptr;
    void (*cpu_loop_exit)(void *cpu); /* QEMU's, exported by libunicorn as cpu_loop_exit_x86_64 */
};
extern struct parvis_uc parvis_uc;

/* ---- containment (unicorn_guard.c) ---- */

/* What a contained fatal signal left behind; filled by the handler, read after the jump back. */
struct parvis_fault {
    int32_t signal;       /* SIGABRT, SIGSEGV, ... */
    int32_t code;         /* siginfo si_code */
    uint64_t pc;          /* where the signal was raised */
    uint64_t address;     /* si_addr of a fault */
    uint64_t caller;      /* innermost return address into libunicorn found on the stack, or 0 */
    char message[160];    /* glibc's abort message (assert), if this abort produced one */
};

/* Registers (or, with hi == 0, drops) a TCG code buffer: faults there belong to the emulator. */
void parvis_guard_tcg_range(uintptr_t lo, uintptr_t hi);
/* Runs fn(arg) with the guard armed on this thread; returns 0, or the signal that ended it. */
int parvis_guarded(void (*fn)(void *), void *arg, struct parvis_fault *fault);
/* Java upcalls made from native hooks are bracketed by these: a fault inside one is the JVM's. */
void parvis_upcall_enter(void);
void parvis_upcall_leave(void);

/* True when pc lies in libunicorn's text. */
int parvis_guard_in_unicorn(uintptr_t pc);

/* ---- preemption (unicorn_preempt.c) ---- */

/*
 * Makes the engine exact under cross-thread uc_emu_stop; returns its CPUState (needed to end a
 * faulting store at once, see there), or NULL when that is not possible for this libunicorn.
 */
void *parvis_preempt_prepare(void *uc);
/* Offset of CPUState.halted (valid once parvis_preempt_prepare succeeded), or -1. */
long parvis_preempt_halted_offset(void);
/* Ends the current run right after a store fault (what unicorn does itself for loads). */
void parvis_preempt_store_fault(void *uc, void *cpu);

#endif
