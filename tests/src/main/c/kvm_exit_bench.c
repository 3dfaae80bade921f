/*
 * kvm_exit_bench - the bare cost of a KVM exit round trip, measured in C with nothing but
 * KVM_RUN in the loop: the baseline of `parvis bench hypercall --backend kvm`.
 *
 * Two guests in 64-bit mode (identity map of 2 MiB pages, flat segments):
 *   out: `out %al, $0x10; jmp .-2` at CPL 0, one KVM_EXIT_IO per iteration;
 *   mmio: `mov %al, (%rbx); jmp .-2` at CPL 3 with RBX at a page that has no memory slot, one
 *        KVM_EXIT_MMIO per iteration (a deprivileged guest cannot execute OUT: it is the cheapest
 *        exit it has, and the one Parvis's hypercall page takes).
 * Prints "out_us=<median> mmio_us=<median>" (microseconds per exit and re-entry).
 * Usage: kvm_exit_bench [iterations per batch] [batches]
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define RAM (4u << 20)
#define PML4 0x100000u
#define MMIO_GPA 0x40000000u

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

struct vm {
    int vm, vcpu;
    struct kvm_run *run;
    uint8_t *ram;
};

static void setup(int kvm, struct vm *v, int cpl, const uint8_t *code, size_t len)
{
    v->vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (v->vm < 0)
        die("KVM_CREATE_VM");
    v->ram = mmap(0, RAM, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    struct kvm_userspace_memory_region r = {.slot = 0, .guest_phys_addr = 0, .memory_size = RAM,
                                            .userspace_addr = (uint64_t)(uintptr_t)v->ram};
    if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &r) < 0)
        die("KVM_SET_USER_MEMORY_REGION");
    v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
    if (v->vcpu < 0)
        die("KVM_CREATE_VCPU");
    int size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    v->run = mmap(0, size, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
    uint64_t u = cpl == 3 ? 4 : 0;
    uint64_t *pml4 = (uint64_t *)(v->ram + PML4), *pdpt = pml4 + 512, *pd = pdpt + 512;
    pml4[0] = (PML4 + 4096) | 3 | u;
    pdpt[0] = (PML4 + 8192) | 3 | u;
    pdpt[1] = (PML4 + 12288) | 3 | u; /* 1 GiB: the MMIO page, no slot behind it */
    for (int i = 0; i < 2; i++)
        pd[i] = ((uint64_t)i << 21) | 0x83 | u | 0x60;
    ((uint64_t *)(v->ram + PML4 + 12288))[0] = MMIO_GPA | 0x83 | u | 0x60;
    memcpy(v->ram + 0x1000, code, len);
    struct kvm_sregs s;
    if (ioctl(v->vcpu, KVM_GET_SREGS, &s) < 0)
        die("KVM_GET_SREGS");
    struct kvm_segment cs = {.limit = 0xffffffff, .selector = cpl == 3 ? 0x1b : 0x08, .type = 11, .present = 1,
                             .dpl = cpl, .s = 1, .l = 1, .g = 1};
    struct kvm_segment ds = {.limit = 0xffffffff, .selector = cpl == 3 ? 0x23 : 0x10, .type = 3, .present = 1,
                             .dpl = cpl, .db = 1, .s = 1, .g = 1};
    s.cs = cs;
    s.ds = s.es = s.fs = s.gs = s.ss = ds;
    s.cr3 = PML4;
    s.cr4 = 0x20;
    s.cr0 = 0x80050033;
    s.efer = 0x500;
    if (ioctl(v->vcpu, KVM_SET_SREGS, &s) < 0)
        die("KVM_SET_SREGS");
    struct kvm_regs regs = {.rip = 0x1000, .rflags = 2, .rsp = 0x8000, .rbx = MMIO_GPA};
    if (ioctl(v->vcpu, KVM_SET_REGS, &regs) < 0)
        die("KVM_SET_REGS");
}

static double batch(struct vm *v, int expected_exit, int n)
{
    double t = now();
    for (int i = 0; i < n; i++) {
        if (ioctl(v->vcpu, KVM_RUN, 0) < 0)
            die("KVM_RUN");
        if ((int)v->run->exit_reason != expected_exit) {
            fprintf(stderr, "unexpected exit %u (wanted %d)\n", v->run->exit_reason, expected_exit);
            exit(1);
        }
    }
    return (now() - t) / n * 1e6;
}

static double median(struct vm *v, int exit_reason, int n, int batches)
{
    double samples[64];
    batch(v, exit_reason, n / 4 + 1);
    for (int b = 0; b < batches; b++)
        samples[b] = batch(v, exit_reason, n);
    qsort(samples, batches, sizeof(double), cmp);
    return samples[batches / 2];
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    int batches = argc > 2 ? atoi(argv[2]) : 5;
    if (batches < 1 || batches > 64 || n < 1)
        return 2;
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0)
        die("/dev/kvm");
    static const uint8_t out_loop[] = {0xe6, 0x10, 0xeb, 0xfc};       /* out %al,$0x10; jmp .-4 */
    static const uint8_t mmio_loop[] = {0x88, 0x03, 0xeb, 0xfc};      /* mov %al,(%rbx); jmp .-4 */
    struct vm out, mmio;
    setup(kvm, &out, 0, out_loop, sizeof(out_loop));
    setup(kvm, &mmio, 3, mmio_loop, sizeof(mmio_loop));
    double out_us = median(&out, KVM_EXIT_IO, n, batches);
    double mmio_us = median(&mmio, KVM_EXIT_MMIO, n, batches);
    printf("out_us=%.2f mmio_us=%.2f\n", out_us, mmio_us);
    return 0;
}
