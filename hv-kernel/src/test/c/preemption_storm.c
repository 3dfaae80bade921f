/*
 * Exactness of preemption under a kick storm, in C against the shim (libparvis-unicorn.so) and the
 * real libunicorn: one thread runs a stack-, store- and call-heavy loop through parvis_vp_run while
 * another kicks it every PERIOD microseconds with parvis_vp_kick; every run is re-entered at the RIP
 * it returned. Any repeated or skipped instruction shows up in the final registers and counters.
 * Also runs the same storm with a raw cross-thread uc_emu_stop on an engine without the shim's
 * preparation, to show the bug the preparation removes ("raw" mode is expected to corrupt).
 *
 * usage: preemption_storm SHIM ITERATIONS PERIOD_US [raw]
 * prints one line; exits 0 when the final state is exact, 2 when it is not, 1 on setup failure.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct vp; /* opaque: struct parvis_vp */
static int (*install)(const char *);
static struct vp *(*vp_open)(void *, void *, void *, uint64_t, int, int, int *);
static int (*vp_run)(struct vp *);
static void (*vp_kick)(struct vp *);
static int (*vp_offsets)(int64_t *, int);
static long (*preempt_offset)(void);
static int (*uc_emu_stop)(void *);
static int (*uc_reg_read)(void *, int, void *);
static int (*uc_mem_map_ptr)(void *, uint64_t, size_t, uint32_t, void *);

static volatile int running = 1;
static long kicks;
static int period_us;
static struct vp *target;
static void *raw_uc;

static int no_cpuid(void) { return 0; }
static uint32_t no_in(uint32_t p, int32_t s) { (void)p; (void)s; return 0xFFFFFFFF; }
static int32_t no_out(uint32_t p, int32_t s, uint32_t v) { (void)p; (void)s; (void)v; return 0; }

static void *kicker(void *arg)
{
    (void)arg;
    struct timespec ts = {0, period_us * 1000L};
    while (running) {
        if (raw_uc) {
            uc_emu_stop(raw_uc);
        } else {
            vp_kick(target);
        }
        kicks++;
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static int64_t field(int index)
{
    int64_t offsets[40];
    vp_offsets(offsets, 40);
    return offsets[index];
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        return 1;
    }
    long n = atol(argv[2]);
    period_us = atoi(argv[3]);
    int raw = argc > 4 && strcmp(argv[4], "raw") == 0;
    void *shim = dlopen(argv[1], RTLD_NOW);
    void *lib = dlopen("libunicorn.so.2", RTLD_NOW | RTLD_GLOBAL);
    if (!shim || !lib) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 1;
    }
    install = dlsym(shim, "parvis_guard_install");
    vp_open = dlsym(shim, "parvis_vp_open");
    vp_run = dlsym(shim, "parvis_vp_run");
    vp_kick = dlsym(shim, "parvis_vp_kick");
    vp_offsets = dlsym(shim, "parvis_vp_offsets");
    preempt_offset = dlsym(shim, "parvis_preempt_offset");
    uc_emu_stop = dlsym(lib, "uc_emu_stop");
    uc_reg_read = dlsym(lib, "uc_reg_read");
    uc_mem_map_ptr = dlsym(lib, "uc_mem_map_ptr");
    if (install("libunicorn.so.2") != 0) {
        fprintf(stderr, "guard install failed\n");
        return 1;
    }
    int err;
    /* raw mode: the engine is not prepared (allow_exact_stop = 0) and is stopped with uc_emu_stop */
    target = vp_open(no_cpuid, no_in, no_out, 0xFFFFFFFFFFFFF000ull, 1, !raw, &err);
    if (!target) {
        fprintf(stderr, "open: %d\n", err);
        return 1;
    }
    void *uc = *(void **)target;
    int exact = *(int32_t *)((char *)target + field(16));
    if (raw) {
        raw_uc = uc;
    } else if (!exact) {
        fprintf(stderr, "exact preemption unavailable (offset %ld)\n", preempt_offset());
        return 1;
    }
    uint8_t *mem = aligned_alloc(4096, 0x10000);
    memset(mem, 0, 0x10000);
    /* xor rcx,rcx; mov rsp,0x103000; mov r8,N;
       loop: push rax; push rbx; mov [rsp+8],rcx; add qword [0x102000],1; call f; pop rbx; pop rax;
             inc rcx; cmp rcx,r8; jb loop; hlt
       (int3) f: push rdx; add qword [0x102008],1; pop rdx; ret */
    uint8_t code[] = {0x48, 0x31, 0xC9, 0x48, 0xBC, 0, 0x30, 0x10, 0, 0, 0, 0, 0, 0x49, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0,
                      0x50, 0x53, 0x48, 0x89, 0x4C, 0x24, 0x08, 0x48, 0x83, 0x04, 0x25, 0x00, 0x20, 0x10, 0x00, 0x01,
                      0xE8, 0, 0, 0, 0, 0x5B, 0x58, 0x48, 0xFF, 0xC1, 0x4C, 0x39, 0xC1, 0x72, 0, 0xF4, 0xCC,
                      0x52, 0x48, 0x83, 0x04, 0x25, 0x08, 0x20, 0x10, 0x00, 0x01, 0x5A, 0xC3};
    memcpy(code + 15, &n, 8);
    int loop = 23, call = 39, jb = 52, hlt = 54, f = 56; /* int3 between hlt and f */
    int32_t rel = f - (call + 5);
    memcpy(code + call + 1, &rel, 4);
    code[jb + 1] = (uint8_t)(loop - (jb + 2));
    memcpy(mem, code, sizeof code);
    uc_mem_map_ptr(uc, 0x100000, 0x10000, 7, mem);
    uint64_t *rip = (uint64_t *)((char *)target + field(1));
    *rip = 0x100000;
    pthread_t t;
    pthread_create(&t, NULL, kicker, NULL);
    long runs = 0;
    int status = 0;
    for (;;) {
        int rc = vp_run(target);
        runs++;
        if (rc != 0) {
            status = rc;
            break;
        }
        if (*rip == 0x100000u + hlt + 1) {
            break;
        }
        if (*rip < 0x100000u || *rip >= 0x100000u + sizeof code) {
            status = -1;
            break;
        }
    }
    running = 0;
    pthread_join(t, NULL);
    uint64_t rcx = 0, rsp = 0;
    uc_reg_read(uc, 38, &rcx);
    uc_reg_read(uc, 44, &rsp);
    uint64_t c1, c2;
    memcpy(&c1, mem + 0x2000, 8);
    memcpy(&c2, mem + 0x2008, 8);
    int ok = status == 0 && rcx == (uint64_t)n && rsp == 0x103000 && c1 == (uint64_t)n && c2 == (uint64_t)n;
    printf("%s %s: runs=%ld kicks=%ld rcx=%lu rsp=0x%lx counter=%lu calls=%lu status=%d\n", raw ? "raw uc_emu_stop" : "parvis kick",
           ok ? "EXACT" : "CORRUPT", runs, kicks, (unsigned long)rcx, (unsigned long)rsp, (unsigned long)c1,
           (unsigned long)c2, status);
    return ok ? 0 : 2;
}
